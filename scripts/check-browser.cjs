// Opens the wsgauntlet serve driver page in headless Chromium (through
// playwright-core), waits until the page says the run is done or broke,
// then prints the server's outcome counts and every case that is not PASS.
// Called by scripts/check-browser.sh, which starts serve and installs what
// this needs.
//
//   PLAYWRIGHT_CORE=path/to/playwright-core node check-browser.cjs URL BROWSER PROFILE_DIR TIMEOUT_S [SCREENSHOT.png]
//
// Exit 0: the run completed (whatever the verdicts); 1: the page or the run
// broke (script error, a stuck run, counts on the page differ from the
// server's).
"use strict";
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const [url, browser, profile, timeoutS, shot] = process.argv.slice(2);
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--disable-dev-shm-usage"];

function print(line) { process.stdout.write(line + "\n"); }

async function main() {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser, headless: true, args: FLAGS,
  });
  const errors = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (e) => errors.push("page error: " + e.message));
    // Chromium logs each connection it fails itself ("... failed: Invalid
    // frame header"): that is the client under test at work, not a broken
    // page, and it says why the browser closed.
    const failed = [];
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      const ws = m.text().match(/^WebSocket connection to '[^']*[?&]case=(\d+)[^']*' failed: (.*)$/);
      if (ws) failed.push([Number(ws[1]), ws[2]]);
      else errors.push("console: " + m.text() + " (" + m.location().url + ")");
    });
    const t0 = Date.now();
    await page.goto(url);
    print("user agent: " + (await page.evaluate(() => navigator.userAgent)));
    let last = "";
    const deadline = t0 + Number(timeoutS) * 1000;
    for (;;) {
      const s = await page.evaluate(() => ({
        state: window.wsgauntlet && window.wsgauntlet.state,
        status: document.getElementById("status").textContent,
      }));
      if (s.state !== "running" && s.state !== undefined) break;
      if (Date.now() > deadline) {
        print("check-browser: the run did not finish in " + timeoutS + " s; last: " + s.status);
        return 1;
      }
      if (s.status !== last && /case \d+0 of/.test(s.status)) print("  " + s.status);
      last = s.status;
      await new Promise((r) => setTimeout(r, 500));
    }
    const state = await page.evaluate(() => window.wsgauntlet);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    if (state.state !== "done") {
      print("check-browser: the page says the run broke: " + state.error);
      return 1;
    }
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    const shown = await page.evaluate(() => document.getElementById("counts").textContent);
    const params = new URLSearchParams({ agent: state.agent });
    const pageQuery = new URL(url).searchParams;
    for (const k of ["cases", "exclude"]) if (pageQuery.get(k)) params.set(k, pageQuery.get(k));
    const list = await (await fetch(new URL("/results?" + params, url))).json();
    const counts = Object.entries(list.counts).map(([k, v]) => k + "=" + v).join(" ");
    print("agent " + state.agent + ": " + list.cases.length + " cases in " + seconds + " s");
    print("counts: " + counts);
    if (list.keys) print("masking keys (" + list.keys.id + "): " + list.keys.outcome + " — " + list.keys.actual);
    if (state.gaveUp.length) print("the page gave up waiting on: " + state.gaveUp.join(" "));
    const why = new Map(failed);
    for (const c of list.cases) {
      const r = c.result;
      if (r && r.outcome === "PASS") continue;
      if (!r) { print("MISSING " + c.id); continue; }
      const browserSays = why.has(c.n) ? "; Chromium: " + why.get(c.n) : "";
      print(r.outcome + " " + c.id + " " + (r.reason || "-") + " (close " + (r.close_code ?? "-") + ")" + browserSays);
      if (r.outcome === "FAIL" || r.outcome === "ERROR") {
        print("    expected: " + r.expected);
        print("    actual:   " + r.actual);
      }
    }
    let status = 0;
    if (shown !== counts) {
      print("check-browser: the page shows \"" + shown + "\", the server counts \"" + counts + "\"");
      status = 1;
    }
    for (const e of errors) print("check-browser: " + e);
    if (errors.length) status = 1;
    return status;
  } finally {
    await context.close();
  }
}

main().then((code) => process.exit(code), (e) => {
  print("check-browser: " + (e && e.stack || e));
  process.exit(1);
});
