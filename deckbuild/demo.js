/* Live demos (deckbuild/demo.py): a network trained by the build runs in the page with onnxruntime-web.
 * Nothing heavy loads until a slide with a demo is first shown. Everything comes as <script> files,
 * because a page opened from file:// may run scripts but not fetch bytes: the WebAssembly binary and
 * its loader arrive as base64 (demo/ort-runtime.js), the model likewise (demo/NAME.js).
 * In print mode (PDF, handout) and without JavaScript the slide keeps the static picture. */
(function () {
  "use strict";
  var SIDE = 28, SCALE = 10, PATCH = 5, FILL = 0.5, INK = 22;  // MNIST's 28x28 field, shown 10 times larger
  var mnistInput, paint;  // from demo/demo-input.js, loaded with the runtime
  var scripts = {}, runtime = null;

  function load(src) {  // a classic script, once; resolves when it has run
    scripts[src] = scripts[src] || new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(tag);
    });
    return scripts[src];
  }

  function bytes(base64) {
    var text = atob(base64), out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function ortReady() {  // the recipe for file://: binary as bytes, loader as a blob: URL, one thread
    runtime = runtime || load("demo/ort.wasm.min.js").then(function () { return load("demo/ort-runtime.js"); })
      .then(function () {
        var given = window.DeckDemoRuntime;
        ort.env.wasm.wasmBinary = bytes(given.wasm);
        ort.env.wasm.wasmPaths = {mjs: URL.createObjectURL(new Blob([bytes(given.loader)], {type: "text/javascript"}))};
        ort.env.wasm.numThreads = 1;  // a file:// page is never cross-origin isolated: no shared memory
        delete window.DeckDemoRuntime;  // 20 MB of text, decoded once
      });
    return runtime;
  }

  function el(tag, attrs, parent) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function Demo(root) {
    this.root = root; this.kind = root.dataset.kind; this.latencies = []; this.pending = null; this.busy = false;
    this.shownAt = performance.now();
    var self = this;
    this.ready = Promise.all([ortReady(), load(root.dataset.model), load("demo/demo-input.js")]).then(function () {
      mnistInput = window.DeckDemoInput.mnistInput; paint = window.DeckDemoInput.paint;
      self.model = window.DeckDemoModels[root.dataset.modelId];
      return ort.InferenceSession.create(bytes(self.model.onnx));
    }).then(function (session) {
      self.session = session;
      self.digits = bytes(self.model.digits);
      self.build();
      return self.kind === "occlude" ? self.pick(0) : self.run(new Float32Array(SIDE * SIDE), performance.now(), false);
    }).then(function () {
      self.readyMs = performance.now() - self.shownAt;
      root.classList.add("demo-ready");
    }, function (error) {
      root.classList.add("demo-failed");  // the static picture stays
      root.dataset.error = String(error);
    });
  }

  Demo.prototype.build = function () {
    var m = this.model, root = this.root, self = this, live = el("div", {"class": "demo-live"});
    var input = el("div", {"class": "demo-input"}, live);
    var label = this.kind === "occlude"
      ? "Test digit, enlarged. Move the pointer over it, or focus it and use the arrow keys, to cover a " + PATCH + " by " + PATCH + " pixel patch with grey."
      : "Drawing area: draw one digit with the mouse, a pen or a finger. Or press Example digit.";
    this.canvas = el("canvas", {"class": "demo-canvas", width: SIDE * SCALE, height: SIDE * SCALE, role: "img", "aria-label": label}, input);
    var buttons = el("div", {"class": "demo-buttons"}, input);
    if (this.kind === "occlude") {
      this.canvas.setAttribute("tabindex", "0");
      var picks = el("div", {"class": "demo-picks", role: "group", "aria-label": "Test digits"}, input);
      this.pickButtons = m.labels.map(function (labelled, i) {
        var b = el("button", {type: "button", "aria-pressed": "false", "aria-label": "Test digit " + (i + 1) + " of " + m.labels.length + ": a " + labelled}, picks);
        paint(el("canvas", {width: SIDE, height: SIDE, "aria-hidden": "true"}, b), self.digitAt(i), SIDE, SIDE, 0, 1);
        b.addEventListener("click", function () { self.pick(i); });
        return b;
      });
    } else {
      el("button", {type: "button", "class": "demo-clear", text: "Clear"}, buttons).addEventListener("click", function () { self.clear(); });
      el("button", {type: "button", "class": "demo-example", text: "Example digit"}, buttons).addEventListener("click", function () { self.example(); });
    }
    var seen = el("figure", {"class": "demo-seen"}, input);
    this.seen = el("canvas", {width: SIDE, height: SIDE, "aria-hidden": "true"}, seen);
    el("figcaption", {text: "what the network sees (28 x 28)"}, seen);
    var maps = el("figure", {"class": "demo-maps"}, live);
    el("figcaption", {text: "the " + m.maps[0] + " maps of " + root.dataset.layer}, maps);
    var grid = el("div", {role: "img", "aria-label": "The " + m.maps[0] + " feature maps of layer " + root.dataset.layer + " for this input"}, maps);
    this.maps = [];
    for (var c = 0; c < m.maps[0]; c++) this.maps.push(el("canvas", {width: m.maps[2], height: m.maps[1]}, grid));
    var bars = el("ol", {"class": "demo-bars", "aria-label": "Probability of each digit"}, live);
    this.bars = [];
    for (var d = 0; d < 10; d++) {
      var li = el("li", {}, bars);
      el("span", {"class": "demo-class", text: String(d)}, li);
      var track = el("span", {"class": "demo-track", "aria-hidden": "true"}, li);
      this.bars.push({li: li, fill: el("span", {"class": "demo-fill"}, track), text: el("span", {"class": "demo-pct", text: "0.0%"}, li)});
    }
    this.status = el("p", {"class": "demo-status"}, live);  // always current, for the room
    this.says = el("p", {"class": "demo-says", "aria-live": "polite"}, live);  // spoken when a stroke or choice ends
    root.appendChild(live);
    this.listen();
  };

  Demo.prototype.digitAt = function (i) {
    var out = new Float32Array(SIDE * SIDE);
    for (var k = 0; k < out.length; k++) out[k] = this.digits[i * SIDE * SIDE + k] / 255;
    return out;
  };

  Demo.prototype.listen = function () {
    var self = this, canvas = this.canvas, drawing = false, last = null;
    var at = function (e) { var r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; };
    ["touchstart", "touchmove", "pointerdown", "pointermove", "pointerup", "mousedown"].forEach(function (type) {  // not reveal.js's swipes
      canvas.addEventListener(type, function (e) { e.stopPropagation(); }, {passive: true});
    });
    this.root.addEventListener("keydown", function (e) {  // a focused control keeps its keys; reveal.js gets the rest
      if (e.target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) e.stopPropagation();
    });
    if (this.kind === "occlude") {
      canvas.addEventListener("pointermove", function (e) { var p = at(e); self.occlude(Math.floor(p[0] / SCALE) - 2, Math.floor(p[1] / SCALE) - 2, e.timeStamp); });
      canvas.addEventListener("pointerleave", function (e) { self.occlude(null, null, e.timeStamp); });
      canvas.addEventListener("keydown", function (e) {
        var step = {ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}[e.key];
        if (!step) return;
        e.preventDefault(); e.stopPropagation();
        var p = self.patch || [12, 12];
        self.occlude(Math.max(0, Math.min(SIDE - PATCH, p[0] + step[0])), Math.max(0, Math.min(SIDE - PATCH, p[1] + step[1])), e.timeStamp, true);
      });
      return;
    }
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, canvas.width, canvas.height);  // opaque: the red channel is the ink
    ctx.lineWidth = INK; ctx.lineCap = ctx.lineJoin = "round"; ctx.strokeStyle = "#fff";
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; last = at(e); canvas.setPointerCapture(e.pointerId); self.fixed = null;
      ctx.beginPath(); ctx.arc(last[0], last[1], INK / 2, 0, 2 * Math.PI); ctx.fillStyle = "#fff"; ctx.fill();
      self.request(e.timeStamp, false);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = at(e);
      ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke(); last = p;
      self.request(e.timeStamp, false);
    });
    var end = function (e) { if (drawing) { drawing = false; self.request(e.timeStamp, true); } };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  };

  Demo.prototype.clear = function () {
    var ctx = this.canvas.getContext("2d");
    ctx.fillStyle = "#000"; ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.fixed = null;
    this.show(new Float32Array(SIDE * SIDE), null, null);
    this.status.textContent = this.says.textContent = "Cleared: draw a digit.";
  };

  Demo.prototype.example = function () {  // a real test digit, already in MNIST's form, drawn large
    this.shown = ((this.shown === undefined ? -1 : this.shown) + 1) % this.model.labels.length;
    this.fixed = this.digitAt(this.shown);
    var big = document.createElement("canvas"); big.width = big.height = SIDE;
    paint(big, this.fixed, SIDE, SIDE, 0, 1);
    var ctx = this.canvas.getContext("2d"); ctx.imageSmoothingEnabled = false;
    ctx.drawImage(big, 0, 0, this.canvas.width, this.canvas.height);
    return this.request(performance.now(), true);
  };

  Demo.prototype.pick = function (i) {
    this.shown = i; this.patch = null;
    this.pickButtons.forEach(function (b, k) { b.setAttribute("aria-pressed", String(k === i)); });
    return this.occlude(null, null, performance.now(), true);
  };

  Demo.prototype.occlude = function (x, y, stamp, announce) {
    this.patch = x === null ? null : [x, y];
    var input = this.digitAt(this.shown);
    if (this.patch) for (var j = Math.max(0, y); j < Math.min(SIDE, y + PATCH); j++) for (var i = Math.max(0, x); i < Math.min(SIDE, x + PATCH); i++) input[j * SIDE + i] = FILL;
    this.fixed = input;
    paint(this.canvas, input, SIDE, SIDE, 0, 1);  // 28x28 into the top-left corner first...
    var ctx = this.canvas.getContext("2d"); ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.canvas, 0, 0, SIDE, SIDE, 0, 0, this.canvas.width, this.canvas.height);  // ...then enlarged
    return this.request(stamp, !!announce);
  };

  // One inference at a time: events during a run only mark the newest input as wanted next.
  Demo.prototype.request = function (stamp, announce) {
    // the oldest event not yet answered: its wait is what the person drawing sees
    this.pending = this.pending ? {stamp: Math.min(stamp, this.pending.stamp), announce: announce || this.pending.announce}
                                : {stamp: stamp, announce: announce};
    if (this.busy) return this.busy;
    var self = this;
    this.busy = (async function () {
      while (self.pending) {
        var job = self.pending; self.pending = null;
        var input = self.fixed || mnistInput(self.canvas);
        if (!input) { self.clear(); continue; }
        await self.run(input, job.stamp, job.announce);
      }
      self.busy = false;
    })();
    return this.busy;
  };

  Demo.prototype.run = async function (input, stamp, announce) {
    var out = await this.session.run({image: new ort.Tensor("float32", input, [1, 1, SIDE, SIDE])});
    var logits = out.logits.data, top = Math.max.apply(null, logits), sum = 0, probabilities = [];
    for (var c = 0; c < 10; c++) { probabilities.push(Math.exp(logits[c] - top)); sum += probabilities[c]; }
    probabilities = probabilities.map(function (p) { return p / sum; });
    if (!this.bars) return;  // the warm-up run before the widget exists
    this.show(input, probabilities, out.maps.data);
    this.latencies.push(performance.now() - stamp);
    var best = probabilities.indexOf(Math.max.apply(null, probabilities));
    var truth = this.kind === "occlude" ? "Test digit: a " + this.model.labels[this.shown] + ". " : "";
    var text = truth + "The network says " + best + ", with probability " + Math.round(100 * probabilities[best]) + "%.";
    this.status.textContent = text;
    if (announce) this.says.textContent = text;
  };

  Demo.prototype.show = function (input, probabilities, maps) {
    this.input = input; this.probabilities = probabilities;
    paint(this.seen, input, SIDE, SIDE, 0, 1);
    var best = probabilities ? probabilities.indexOf(Math.max.apply(null, probabilities)) : -1;
    this.bars.forEach(function (bar, c) {
      var p = probabilities ? probabilities[c] : 0;
      bar.fill.style.width = (100 * p).toFixed(1) + "%";
      bar.text.textContent = (100 * p).toFixed(1) + "%";
      bar.li.classList.toggle("demo-best", c === best);
    });
    var m = this.model.maps, size = m[1] * m[2], low = Infinity, high = -Infinity, k;
    if (maps) for (k = 0; k < maps.length; k++) { low = Math.min(low, maps[k]); high = Math.max(high, maps[k]); }
    for (k = 0; k < m[0]; k++) paint(this.maps[k], maps ? maps.subarray(k * size, (k + 1) * size) : new Float32Array(size), m[2], m[1], maps ? low : 0, maps ? high : 1);
  };

  function start(slide) {
    if (!slide || /print-pdf/i.test(window.location.search)) return;
    slide.querySelectorAll(".deck-demo").forEach(function (root) { if (!root.deckDemo) root.deckDemo = new Demo(root); });
  }
  document.addEventListener("ready", function (e) { start(e.currentSlide); });
  document.addEventListener("slidechanged", function (e) { start(e.currentSlide); });
})();
