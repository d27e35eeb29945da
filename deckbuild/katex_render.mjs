// Renders a JSON list of {tex, display} read from stdin into a JSON list of {html} or {error}.
// One process per build renders every formula that is not cached yet.
// Arguments: the node_modules folder, KaTeX's output mode ("htmlAndMathml": MathML for screen readers).
import { createRequire } from "node:module";
const require = createRequire(process.argv[2] + "/");
const katex = require("katex");
const output = process.argv[3];

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "ignore", output }) };
    } catch (error) {
      return { error: String(error.message || error).replace(/^KaTeX parse error: /, "") };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
