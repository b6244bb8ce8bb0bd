//! The inline stylesheet and script of the HTML report (no external assets,
//! no network).

/// The stylesheet.
pub const CSS: &str = r#"
:root{--fg:#1f2328;--dim:#656d76;--line:#d0d7de;--bg:#f6f8fa;
--PASS:#1a7f37;--PASS-bg:#dafbe1;--NON-STRICT:#9a6700;--NON-STRICT-bg:#fff8c5;
--INFORMATIONAL:#0969da;--INFORMATIONAL-bg:#ddf4ff;--UNIMPLEMENTED:#57606a;--UNIMPLEMENTED-bg:#eaeef2;
--FAIL:#cf222e;--FAIL-bg:#ffebe9;--ERROR:#8250df;--ERROR-bg:#fbefff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);margin:0;padding:24px 32px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}h4{font-size:13px;margin:0 0 6px;color:var(--dim)}
.meta,.dim{color:var(--dim)}.url{color:var(--dim);font-family:ui-monospace,monospace;font-size:12px;margin-bottom:8px;word-break:break-all}
.cards{display:flex;gap:16px;flex-wrap:wrap}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;min-width:300px;flex:1;background:var(--bg)}
.counts{display:flex;gap:8px;flex-wrap:wrap;margin:6px 0}
.badge{display:inline-block;border-radius:12px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap}
.counts .badge{font-size:13px;padding:3px 10px}
.o-PASS{color:var(--PASS);background:var(--PASS-bg)}.o-NON-STRICT{color:var(--NON-STRICT);background:var(--NON-STRICT-bg)}
.o-INFORMATIONAL{color:var(--INFORMATIONAL);background:var(--INFORMATIONAL-bg)}.o-UNIMPLEMENTED{color:var(--UNIMPLEMENTED);background:var(--UNIMPLEMENTED-bg)}
.o-FAIL{color:var(--FAIL);background:var(--FAIL-bg)}.o-ERROR{color:var(--ERROR);background:var(--ERROR-bg)}
.o-MISSING{color:var(--dim);background:#fff;border:1px dashed var(--line)}
.matrices{display:flex;gap:20px;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid var(--line);padding:3px 10px;text-align:right;font-variant-numeric:tabular-nums}
.matrix th{background:var(--bg);font-size:12px}.matrix td:first-child,.matrix th:first-child{text-align:left}
.matrix td.zero{color:#c4c9cf}
.deflate td.l,.deflate th.l{text-align:left}.deflate td.l{font-family:ui-monospace,monospace;font-size:12px}.deflate a{text-decoration:none}
.scroll{max-height:420px;overflow:auto}.deflate thead th{position:sticky;top:0}
.filters{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid var(--line);z-index:2;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.filters label{cursor:pointer;user-select:none}
.filters button{font:inherit;font-size:12px;padding:2px 10px;border:1px solid var(--line);border-radius:6px;background:var(--bg);cursor:pointer}
#shown{color:var(--dim);margin-left:auto}
details.case{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}
details.case>summary{cursor:pointer;padding:6px 10px;display:flex;gap:10px;align-items:center;list-style:none}
details.case>summary::-webkit-details-marker{display:none}
details.case>summary::before{content:"▸";color:var(--dim);width:10px}details.case[open]>summary::before{content:"▾"}
details.case[open]>summary{border-bottom:1px solid var(--line);background:var(--bg)}
.cid{font-family:ui-monospace,monospace;font-weight:600;min-width:64px}.title{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.body{padding:10px 14px}
.req{border-left:3px solid var(--line);padding:2px 10px;margin:0 0 10px;color:#424a53;font-style:italic}
.agents{display:grid;gap:14px}
.agent{border:1px solid var(--line);border-radius:6px;padding:10px;min-width:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}dt{color:var(--dim)}dd{margin:0;word-break:break-word}
table.wire{font:12px ui-monospace,monospace;width:100%;margin-top:4px}
.wire th,.wire td{border-bottom:1px solid #eaeef2;padding:2px 6px;text-align:left;white-space:nowrap}
.wire td.pl{white-space:normal;overflow-wrap:anywhere;width:100%}.wire tr.tx td:first-child{color:#0969da}.wire tr.rx td:first-child{color:#8250df}
pre.hex{font:12px/1.4 ui-monospace,monospace;background:var(--bg);padding:8px;border-radius:6px;overflow:auto;max-height:320px}
details.sub>summary{cursor:pointer;color:var(--dim);margin:6px 0}
.attention{margin-top:8px;line-height:2}.attention a{text-decoration:none}
.hidden{display:none}
"#;

/// The filter script: checkboxes per outcome show the cases where any agent
/// has a checked outcome (`#only=FAIL,ERROR` in the URL preselects them);
/// `#js-counts` receives the outcome counts.
pub const JS: &str = r#"
(function () {
  "use strict";
  var order = ["PASS", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAIL", "ERROR"];
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".filters input[data-outcome]"));
  var cases = Array.prototype.slice.call(document.querySelectorAll("details.case"));
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute("data-outcome")] = b.checked; });
    var shown = 0;
    cases.forEach(function (c) {
      var visible = c.getAttribute("data-outcomes").split(" ").some(function (o) { return on[o]; });
      c.classList.toggle("hidden", !visible);
      if (visible) { shown += 1; }
    });
    document.getElementById("shown").textContent = "showing " + shown + " of " + cases.length + " cases";
  }
  function setAll(pred) {
    boxes.forEach(function (b) { b.checked = pred(b.getAttribute("data-outcome")); });
    apply();
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  document.getElementById("show-all").addEventListener("click", function () { setAll(function () { return true; }); });
  document.getElementById("show-bad").addEventListener("click", function () { setAll(function (o) { return o !== "PASS"; }); });
  var counts = {};
  document.querySelectorAll(".agent[data-outcome]").forEach(function (a) {
    var o = a.getAttribute("data-outcome");
    counts[o] = (counts[o] || 0) + 1;
  });
  var only = /^#only=(.+)$/.exec(window.location.hash);
  if (only) {
    var wanted = decodeURIComponent(only[1]).split(",");
    boxes.forEach(function (b) { b.checked = wanted.indexOf(b.getAttribute("data-outcome")) >= 0; });
  }
  document.getElementById("js-counts").textContent = order
    .filter(function (o) { return counts[o]; })
    .map(function (o) { return o + "=" + counts[o]; })
    .join(" ");
  apply();
})();
"#;
