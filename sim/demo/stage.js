// The workshop stage: both sides' market view, charts, moments and the scoreboard, drawn as SVG
// from a run the server computed whole (sim/demo/replay.py). Play, Step, Reset, the week slider
// and the keyboard only choose a week of that record, so they redraw at once in the browser;
// the chosen week is sent back to Python and kept in the address bar (a link reproduces the view).

const NS = "http://www.w3.org/2000/svg";
const ABANDON = "#D55E00", WAIT = "#E69F00", ADOPT = "#009E73";
const MOMENT_COLOURS = { adopt: ADOPT, abandon: ABANDON, wait: WAIT };
const MOMENT_MARKS = { adopt: "▲", abandon: "✕", wait: "●" };
const PANELS = [  // [title, [series, axis, style] …]; axis "r" is the right-hand scale
  ["Accounts adopted (%) · patients on therapy (dotted)",
    [["accounts_adopted_share", "l", ""], ["patients_treated", "r", "3 3"]]],
  ["Jobs resolved · abandoned (dashed red), cumulative",
    [["jobs_resolved", "l", ""], ["jobs_abandoned", "l", "6 3", ABANDON]]],
  ["Contacts per account · decision wait in weeks (dots)",
    [["contacts_per_account", "l", ""], ["decision_wait_mean", "r", "dots"]]],
];

// Text from the run (job types, account kinds, design names come from scenario and design files)
// is escaped wherever it goes into HTML or SVG markup.
const esc = (text) => String(text).replace(/[&<>"']/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function el(tag, attrs = {}, parent = null, text = null) {
  const node = tag.startsWith("svg:") ? document.createElementNS(NS, tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function fmt(value, kind) {
  if (kind === "pct") return `${Math.round(value * 100)}%`;
  if (kind === "int") return `${Math.round(value)}`;
  return value.toFixed(kind === "2f" ? 2 : 1);
}

// Shared axes for both sides over the whole run, so the eye compares like with like and the
// axes stay still while the weeks play.
function limits(run) {
  const top = (name) => Math.max(1e-9, ...run.sides.map((s) => Math.max(...s.series[name])));
  return {
    accounts_adopted_share: 1, patients_treated: Math.max(1, top("patients_treated") * 1.1),
    jobs_resolved: Math.max(1, top("jobs_resolved") * 1.1, top("jobs_abandoned") * 1.1),
    contacts_per_account: Math.max(1, top("contacts_per_account") * 1.2),
    decision_wait_mean: Math.max(1, top("decision_wait_mean") * 1.2),
    weeks: Math.max(...run.sides.map((s) => s.weeks[s.weeks.length - 1])),
  };
}
limits.shared = { jobs_abandoned: "jobs_resolved" };

function drawCharts(svg, side, week, lim, big) {
  svg.replaceChildren();
  const panels = big ? PANELS.slice(0, 2) : PANELS;
  // presenter: a narrower drawing scaled to the same column, so its type comes out larger
  const W = big ? 340 : 480, ph = big ? 90 : 110, top = 22, gap = 30, left = 40, right = 40;
  const H = top + panels.length * (ph + gap) + 6;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const fs = big ? 13 : 12;
  const x = (w) => left + (W - left - right) * w / lim.weeks;
  panels.forEach(([title, lines], p) => {
    const y0 = top + p * (ph + gap);
    el("svg:text", { x: left, y: y0 - 6, "font-size": fs, fill: "#333" }, svg,
      big ? title.split(" · ")[0] : title);
    el("svg:rect", { x: left, y: y0, width: W - left - right, height: ph, fill: "#fafafa",
      stroke: "#ddd" }, svg);
    for (const [name, axis, dash, stroke] of lines) {
      const max = lim[limits.shared[name] || name];
      const y = (v) => y0 + ph - ph * Math.min(1, v / max);
      const values = side.series[name].slice(0, week + 1);
      const colour = stroke || side.colour;
      if (dash === "dots") {
        values.forEach((v, w) => { if (v > 0) el("svg:circle", { cx: x(side.weeks[w]),
          cy: y(v), r: 1.6, fill: "#888" }, svg); });
      } else {
        const d = values.map((v, w) => `${w ? "L" : "M"}${x(side.weeks[w]).toFixed(1)},`
          + `${y(v).toFixed(1)}`).join("");
        el("svg:path", { d, fill: "none", stroke: colour, "stroke-width": 2,
          "stroke-dasharray": dash }, svg);
      }
      const label = name === "accounts_adopted_share" ? "100%" : fmt(max, max < 10 ? "1f" : "int");
      el("svg:text", { x: axis === "l" ? left - 3 : W - right + 3, y: y0 + fs,
        "font-size": fs - 2, "text-anchor": axis === "l" ? "end" : "start", fill: "#777" },
        svg, label);
    }
    // moments of this side so far, as marks along the top of the first panel
    if (p === 0) {
      for (const [w, kind] of side.moments) {
        if (w > side.weeks[week] || kind === "wait") continue;
        el("svg:text", { x: x(w), y: y0 + ph - 3, "font-size": fs - 3, "text-anchor": "middle",
          fill: MOMENT_COLOURS[kind], class: `moment-${kind}` }, svg, MOMENT_MARKS[kind]);
      }
    }
  });
  const yb = top + panels.length * (ph + gap) - gap + 16;
  el("svg:text", { x: W - right, y: yb, "font-size": fs - 2, "text-anchor": "end",
    fill: "#777" }, svg, `week ${side.weeks[week]} of ${lim.weeks}`);
}

// Lines from company people to the accounts they met in the last `window` weeks; the newer the
// meeting, the darker the line. Accounts: colour = adoption stage, size = patients.
function drawMarket(svg, side, week, run, big) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", "0 0 100 100");
  const now = side.weeks[week];
  const last = new Map();
  for (let w = Math.max(0, week - run.window + 1); w <= week; w++) {
    const t = side.touches[w];
    for (let i = 0; i < t.length; i += 2) last.set(t[i] * 100000 + t[i + 1], w);
  }
  const lines = el("svg:g", { class: "lines" }, svg);
  for (const [key, w] of last) {
    const person = side.people[Math.floor(key / 100000)], account = side.accounts[key % 100000];
    const fresh = 1 - (week - w) / run.window;
    el("svg:line", { x1: person[0] * 100, y1: person[1] * 100, x2: account[0] * 100,
      y2: account[1] * 100, stroke: person[2], "stroke-width": 0.25 + 0.35 * fresh,
      "stroke-opacity": (0.15 + 0.6 * fresh).toFixed(2) }, lines);
  }
  const flash = new Map();  // account → [kind, weeks ago]: a ring that fades over four weeks
  for (const [w, kind, , account] of side.moments) {
    if (w <= now && w > now - 4 && account >= 0
      && (!flash.has(account) || kind === "adopt")) flash.set(account, [kind, now - w]);
  }
  side.people.forEach(([px, py, colour, role]) => {
    const r = el("svg:rect", { x: px * 100 - 1, y: py * 100 - 1, width: 2, height: 2,
      fill: colour }, svg);
    el("svg:title", {}, r, role);
  });
  const stages = side.stages[week];
  side.accounts.forEach(([ax, ay, radius, patients], a) => {
    const c = el("svg:circle", { cx: ax * 100, cy: ay * 100, r: radius * 100,
      fill: run.stage_colours[stages[a]], stroke: "#555", "stroke-width": 0.3,
      class: `account stage-${run.stages[stages[a]]}` }, svg);
    el("svg:title", {}, c, `account ${a}: ${patients} patients, ${run.stages[stages[a]]}`);
    if (flash.has(a)) {
      const [kind, ago] = flash.get(a);
      el("svg:circle", { cx: ax * 100, cy: ay * 100, r: radius * 100 + 1.6, fill: "none",
        stroke: MOMENT_COLOURS[kind], "stroke-width": 0.9, "stroke-opacity": 1 - ago / 4,
        class: `flash flash-${kind}` }, svg);
    }
  });
  const perAccount = last.size / Math.max(1, side.accounts.length);
  el("svg:text", { x: 50, y: big ? 50 : 49, "font-size": big ? 8 : 4, "text-anchor": "middle",
    fill: "#333" }, svg, `${perAccount.toFixed(1)}`);
  el("svg:text", { x: 50, y: big ? 56 : 54, "font-size": big ? 3.6 : 2.6,
    "text-anchor": "middle", fill: "#555" }, svg, "people per account");
}

function drawScore(box, run, week) {
  const [a, b] = run.sides;
  const head = `<tr><th style="text-align:left">week ${a.weeks[week]}</th>`
    + run.sides.map((s) => `<th style="color:${esc(s.colour)}">${esc(s.label)}</th>`).join("") + "</tr>";
  const rows = run.score_labels.map(([label, kind, better], k) => {
    const l = a.scores[week][k], r = b.scores[week][k];
    const wins = l === r ? "" : ((l > r) === (better === "higher") ? "l" : "r");
    return `<tr><td>${esc(label)}</td><td class="${wins === "l" ? "win" : ""}">${fmt(l, kind)}</td>`
      + `<td class="${wins === "r" ? "win" : ""}">${fmt(r, kind)}</td></tr>`;
  }).join("");
  const basis = run.basis ? `<caption class="basis">${esc(run.basis)}</caption>` : "";
  box.innerHTML = `<table class="orgsim-score">${basis}${head}${rows}</table>`;
}

function drawMoments(box, side, week, big) {
  const now = side.weeks[week];
  const past = side.moments.filter(([w]) => w <= now).slice(-(big ? 2 : 5)).reverse();
  box.innerHTML = past.map(([w, kind, text]) => `<li class="moment ${kind}${w === now ? " now" : ""}">`
    + `<span style="color:${MOMENT_COLOURS[kind]}">${MOMENT_MARKS[kind]}</span> `
    + `week ${w}: ${esc(text)}</li>`).join("") || "<li class='quiet'>no moments yet</li>";
}

function drawJob(box, job, run, week) {
  if (!job || !job.sides) { box.replaceChildren(); return; }
  const now = run.sides[0].weeks[week];
  box.innerHTML = job.sides.map((rows, s) => {
    const shown = rows.filter((r) => r[0] <= now);
    const body = shown.map((r, i) => `<tr><td>${r[0].toFixed(1)}</td><td>${esc(r[1])}</td>`
      + `<td>${esc(r[2])}</td><td>${esc(r[3])}</td><td>${(i ? r[0] - shown[i - 1][0] : 0).toFixed(1)}</td></tr>`)
      .join("");
    const side = run.sides[s];
    return `<div><b style="color:${esc(side.colour)}">${esc(side.label)}</b> — ${esc(job.label)}: `
      + `${shown.length} steps by week ${now}`
      + `<table class="orgsim-path" data-side="${s ? "right" : "left"}"><tr><th>week</th>`
      + `<th>step</th><th>who</th><th>detail</th><th>waited</th></tr>${body}</table></div>`;
  }).join("");
}

const MOMENT_NAMES = { adopt: "account adopts", abandon: "job abandoned",
  wait: "decision waits at head office" };

function legendHtml(run) {
  const dot = (colour) => `<i style="background:${colour}"></i>`;
  return run.stages.map((s, i) => `<span>${dot(esc(run.stage_colours[i]))}${esc(s)}</span>`).join("")
    + run.roles.map(([role, colour]) => `<span><b style="color:${esc(colour)}">■</b> ${esc(role)}</span>`)
      .join("")
    + Object.entries(MOMENT_MARKS).map(([k, m]) => `<span><b style="color:${MOMENT_COLOURS[k]}">`
      + `${m}</b> ${MOMENT_NAMES[k]}</span>`).join("")
    + `<span>accounts: inner ring, size = patients · company people: outer ring · lines: met in `
    + `the last ${run.window} weeks</span>`;
}

// The whole view as one PNG: scoreboard, then each side's market and charts.
async function downloadPng(root, run, week) {
  const W = 1600, margin = 20, colW = (W - 3 * margin) / 2;
  const parts = [];
  let y = margin;
  parts.push(`<text x="${margin}" y="${y + 22}" font-size="24" font-weight="bold">`
    + `orgsim · ${run.sides.map((s) => esc(s.label)).join(" vs ")} · week ${run.sides[0].weeks[week]}</text>`);
  y += 44;
  run.score_labels.forEach(([label, kind], k) => {
    parts.push(`<text x="${margin}" y="${y}" font-size="17">${esc(label)}</text>`);
    run.sides.forEach((s, i) => parts.push(`<text x="${margin + 520 + i * 200}" y="${y}" `
      + `font-size="17" fill="${esc(s.colour)}">${fmt(s.scores[week][k], kind)}</text>`));
    y += 24;
  });
  y += 6;
  let x = margin;  // legend: adoption stages, then roles
  for (const [name, colour] of [...run.stages.map((s, i) => [s, run.stage_colours[i]]),
    ...run.roles]) {
    parts.push(`<circle cx="${x + 7}" cy="${y - 5}" r="7" fill="${esc(colour)}" stroke="#555"/>`
      + `<text x="${x + 18}" y="${y}" font-size="15">${esc(name)}</text>`);
    x += 28 + 8.5 * name.length;
  }
  y += 14;
  root.querySelectorAll(".side").forEach((sideBox, i) => {
    let yy = y;
    parts.push(`<text x="${margin + i * (colW + margin)}" y="${yy + 20}" font-size="22" `
      + `fill="${esc(run.sides[i].colour)}">${esc(run.sides[i].label)}</text>`);
    yy += 30;
    for (const svg of sideBox.querySelectorAll("svg")) {
      const [, , vw, vh] = svg.getAttribute("viewBox").split(" ").map(Number);
      const h = colW * vh / vw;
      parts.push(`<svg x="${margin + i * (colW + margin)}" y="${yy}" width="${colW}" `
        + `height="${h}" viewBox="0 0 ${vw} ${vh}" font-family="Helvetica, Arial, sans-serif">`
        + `${svg.innerHTML}</svg>`);
      yy += h + 10;
    }
    parts.push(`<!--${yy}-->`);
    root._pngHeight = Math.max(root._pngHeight || 0, yy);
  });
  const H = Math.ceil(root._pngHeight + margin);
  root._pngHeight = 0;
  const text = `<svg xmlns="${NS}" width="${W}" height="${H}" font-family="Helvetica, Arial, `
    + `sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
  const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
  const image = new Image();
  await new Promise((ok, fail) => { image.onload = ok; image.onerror = fail; image.src = url; });
  const canvas = Object.assign(document.createElement("canvas"), { width: W, height: H });
  canvas.getContext("2d").drawImage(image, 0, 0);
  URL.revokeObjectURL(url);
  const blob = await new Promise((ok) => canvas.toBlob(ok, "image/png"));
  const a = Object.assign(document.createElement("a"), {
    href: URL.createObjectURL(blob), download: `orgsim_week${run.sides[0].weeks[week]}.png` });
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function render({ model, el: root }) {
  root.classList.add("orgsim-stage");
  root.innerHTML = `
    <div class="bar">
      <button class="reset" title="r">Reset</button>
      <button class="play" title="space">▶</button>
      <button class="step" title="→">Step</button>
      <input class="week" type="range" min="0" value="0" aria-label="week">
      <span class="weeklabel"></span>
      <span class="spacer"></span>
      <button class="presenter" title="p">Presenter</button>
      <a class="orgsim-link" href="">Link to this view</a>
      <button class="png">Download PNG</button>
    </div>
    <div class="orgsim-note"></div>
    <div class="grid">
      <div class="side" data-side="left"><h3></h3><svg class="market"></svg>
        <svg class="charts"></svg><ul class="moments"></ul></div>
      <div class="score"></div>
      <div class="side" data-side="right"><h3></h3><svg class="market"></svg>
        <svg class="charts"></svg><ul class="moments"></ul></div>
    </div>
    <div class="legend"></div>
    <div class="job"></div>`;
  const $ = (s) => root.querySelector(s);
  const sides = [...root.querySelectorAll(".side")];
  let run = null, lim = null, week = 0, timer = null;

  const draw = () => {
    if (!run) return;
    const big = model.get("presenter");
    root.classList.toggle("presenter", big);
    root.dataset.week = run.sides[0].weeks[week];
    sides.forEach((box, i) => {
      const side = run.sides[i];
      box.querySelector("h3").textContent = side.label;
      box.querySelector("h3").style.color = side.colour;
      drawMarket(box.querySelector(".market"), side, week, run, big);
      drawCharts(box.querySelector(".charts"), side, week, lim, big);
      drawMoments(box.querySelector(".moments"), side, week, big);
    });
    drawScore($(".score"), run, week);
    drawJob($(".job"), model.get("job"), run, week);
    $(".week").max = run.sides[0].weeks.length - 1;
    $(".week").value = week;
    $(".weeklabel").textContent = `week ${run.sides[0].weeks[week]} / ${lim.weeks}`;
    $(".play").textContent = timer ? "❚❚" : "▶";
    $(".presenter").textContent = big ? "Leave presenter" : "Presenter";
    const query = `${model.get("query")}&week=${week}${big ? "&presenter=1" : ""}`;
    $(".orgsim-link").href = `?${query}`;
    if (model.get("query")) history.replaceState(null, "", `?${query}`);
  };
  const go = (w) => {
    if (!run) return;
    week = Math.max(0, Math.min(run.sides[0].weeks.length - 1, w));
    draw();
    model.set("week", week);
    model.save_changes();
  };
  const pause = () => { clearInterval(timer); timer = null; draw(); };
  const play = () => {
    if (timer) return pause();
    if (week >= run.sides[0].weeks.length - 1) go(0);
    timer = setInterval(() => {
      if (week >= run.sides[0].weeks.length - 1) return pause();
      go(week + 1);
    }, 100);  // ten weeks a second
    draw();
  };
  const legend = () => {
    if (run) $(".legend").innerHTML = legendHtml(run);
  };
  const load = (first) => {
    const text = model.get("run");
    if (!text) return;
    run = JSON.parse(text);
    root._run = text;  // what is drawn, for the browser tests
    lim = limits(run);
    legend();
    go(first ? model.get("start_week") : 0);  // a new run starts at week 0 (same seed)
  };
  model.on("change:run", () => load(false));
  model.on("change:presenter", draw);
  model.on("change:job", draw);
  model.on("change:query", draw);
  model.on("change:note", () => { $(".orgsim-note").textContent = model.get("note"); });
  $(".orgsim-note").textContent = model.get("note");
  $(".reset").onclick = () => { pause(); go(0); };
  $(".play").onclick = play;
  $(".step").onclick = () => { pause(); go(week + 1); };
  $(".week").oninput = (e) => { pause(); go(Number(e.target.value)); };
  $(".presenter").onclick = () => { model.set("presenter", !model.get("presenter"));
    model.save_changes(); draw(); };
  $(".png").onclick = () => downloadPng(root, run, week);
  // a clicked button keeps focus, and Space would press it again after our own shortcut
  root.querySelectorAll(".bar button").forEach((b) => b.addEventListener("click", () => b.blur()));
  const keys = (e) => {
    const t = e.target;
    if (t && (t.closest("input, textarea, select, [role=slider], .v-select, .v-input")
      && !t.classList.contains("week"))) return;
    if (e.key === " ") { e.preventDefault(); play(); }
    else if (e.key === "ArrowRight") { e.preventDefault(); pause(); go(week + 1); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); pause(); go(week - 1); }
    else if (e.key === "r" || e.key === "R") { pause(); go(0); }
    else if (e.key === "p" || e.key === "P") { $(".presenter").click(); }
  };
  document.addEventListener("keydown", keys);
  if (matchMedia("(max-width: 760px)").matches) {  // a phone: Python folds the sidebar away
    model.set("narrow", true);
    model.save_changes();
  }
  load(true);
  return () => { document.removeEventListener("keydown", keys); clearInterval(timer); };
}

export default { render };
