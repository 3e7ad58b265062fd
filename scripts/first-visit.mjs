// Part of scripts/bundle-size, on the optimised bundle Belfry is serving: what a first visit
// to each section's page downloads, as Chromium received it (resource timing: the bytes on
// the wire, encodedBodySize, and after decoding), with the encoding the server chose. The
// sizes bundle-size prints come from the packs and manifests and brotli run by hand; these
// are what a visitor's browser fetched with an empty cache, and they hold only if the site
// carries the compressed copies beside each file (Belfry's static handler, leptos_axum's,
// sends `x.wasm.br` or `x.wasm.gz` for `x.wasm` when the browser accepts it). Fails when a
// page does not hydrate or a wasm module arrives uncompressed; never on a size.
// Usage: node scripts/first-visit.mjs http://127.0.0.1:PORT
import { launchChromium } from "../end2end/chromium.cjs";

// A page of each section, as an anonymous visitor opens it (the dashboard's pages ask to
// log in, in their own section's view).
const pages = [
  ["/cron", "cron playground"],
  ["/", "front door"],
  ["/login", "sign in"],
  ["/alarms", "alarms"],
  ["/alarms/new", "alarm form"],
  ["/subscriptions", "subscriptions"],
  ["/schedules", "schedules"],
  ["/schedules/new", "rule form"],
  ["/schedules/scheduler/new", "Scheduler form"],
  ["/load-balancers", "load balancers"],
  ["/load-balancers/new", "balancer form"],
  ["/settings", "team"],
  ["/settings/aws", "team's others"],
];
const browser = await launchChromium();
const problems = [];
const kb = (bytes) => `${(bytes / 1000).toFixed(1).padStart(7)} KB`;
try {
  for (const [path, name] of pages) {
    // A new context each time: an empty cache, as on a first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (error) => problems.push(`${path}: page error: ${error}`));
    const encodings = new Map();
    const headers = [];
    page.on("response", (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith("/pkg/")) {
        headers.push(response.allHeaders().then((all) => {
          encodings.set(url.pathname, all["content-encoding"] ?? "none");
        }));
      }
    });
    await page.goto(`${process.argv[2]}${path}`);
    await page.locator('main[data-hydrated="true"]').waitFor({ state: "attached", timeout: 30_000 });
    await Promise.all(headers);
    const entries = await page.evaluate(() =>
      performance.getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname.startsWith("/pkg/"))
        .map((e) => ({ path: new URL(e.name).pathname, wire: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    const code = entries.filter((e) => /\.(wasm|js)$/.test(e.path));
    const wasm = code.filter((e) => e.path.endsWith(".wasm"));
    const sum = (list, key) => list.reduce((total, e) => total + e[key], 0);
    const used = [...new Set(code.map((e) => encodings.get(e.path) ?? "?"))].join(", ");
    console.log(
      `  ${name.padEnd(16)} ${String(wasm.length).padStart(2)} wasm + ${code.length - wasm.length} js:` +
        ` ${kb(sum(code, "wire"))} on the wire (wasm ${kb(sum(wasm, "wire")).trim()}),` +
        ` ${kb(sum(code, "decoded"))} decoded; encoding ${used}`,
    );
    for (const e of wasm) {
      if (e.wire >= e.decoded) problems.push(`${path}: ${e.path} arrived uncompressed`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
for (const problem of problems) console.error(problem);
if (problems.length) process.exit(1);
