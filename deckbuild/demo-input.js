/* What the network is fed (demo.js): a drawing prepared as MNIST's digits were, and float arrays
 * painted as grey images. Loaded with the runtime, when a demo slide is first shown. */
(function () {
  "use strict";
  var SIDE = 28, BOX = 20;  // MNIST: the digit in a 20x20 box, centred in a 28x28 field

  // MNIST's preprocessing of a drawing: the ink's bounding box scaled (area averaging) so that its
  // longer side is 20 pixels, then placed in the 28x28 field with its centre of mass at the centre.
  function mnistInput(canvas) {
    var w = canvas.width, h = canvas.height, px = canvas.getContext("2d").getImageData(0, 0, w, h).data;
    var x0 = w, y0 = h, x1 = -1, y1 = -1, x, y;
    for (y = 0; y < h; y++) for (x = 0; x < w; x++) if (px[4 * (y * w + x)] > 0) {
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (x1 < 0) return null;
    var bw = x1 - x0 + 1, bh = y1 - y0 + 1, f = BOX / Math.max(bw, bh);
    var sw = Math.max(1, Math.round(bw * f)), sh = Math.max(1, Math.round(bh * f));
    var small = new Float32Array(sw * sh), count = new Float32Array(sw * sh);
    for (y = y0; y <= y1; y++) for (x = x0; x <= x1; x++) {
      var at = Math.min(sh - 1, Math.floor((y - y0) * f)) * sw + Math.min(sw - 1, Math.floor((x - x0) * f));
      small[at] += px[4 * (y * w + x)] / 255; count[at] += 1;
    }
    var mass = 0, mx = 0, my = 0;
    for (y = 0; y < sh; y++) for (x = 0; x < sw; x++) {
      var v = small[y * sw + x] /= count[y * sw + x] || 1;
      mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
    }
    var ox = Math.round(SIDE / 2 - mx / mass), oy = Math.round(SIDE / 2 - my / mass), out = new Float32Array(SIDE * SIDE);
    for (y = 0; y < sh; y++) for (x = 0; x < sw; x++) {
      var tx = x + ox, ty = y + oy;
      if (tx >= 0 && tx < SIDE && ty >= 0 && ty < SIDE) out[ty * SIDE + tx] = small[y * sw + x];
    }
    return out;
  }

  function paint(canvas, values, width, height, low, high) {  // grey image of a float array
    var ctx = canvas.getContext("2d"), image = ctx.createImageData(width, height);
    for (var i = 0; i < width * height; i++) {
      var g = Math.round(255 * Math.min(1, Math.max(0, (values[i] - low) / (high - low || 1))));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = g; image.data[4 * i + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
  }

  window.DeckDemoInput = {mnistInput: mnistInput, paint: paint};
})();
