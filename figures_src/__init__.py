"""Figure producers: each public function draws one figure (or makes an artifact other figures use)."""
