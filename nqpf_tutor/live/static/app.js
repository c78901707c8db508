// The student page of a live game: join, wait, answer, see the reveal. No libraries, no build.
// Text from the server is set with textContent only (never as HTML).
"use strict";

(function () {
  const KEY = "nqpf-live";
  const $ = (id) => document.getElementById(id);
  const views = ["join", "wait", "question", "locked", "reveal", "end", "removed"];
  let ws = null;
  let token = null;
  let myName = "";
  let current = null; // the open question's message
  let lockedQ = 0; // the question number answered (waiting for its ack or the reveal)
  let deadline = 0; // performance.now() when the open question's time is up
  let timer = null;
  let retry = 500;
  let view = "join";
  let joining = false;

  function saved() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null") || {}; } catch (e) { return {}; }
  }
  function save(data) {
    try { localStorage.setItem(KEY, JSON.stringify(data)); } catch (e) { /* private mode: no resume */ }
  }
  function forget() {
    token = null;
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
  }

  function show(name, focus) {
    view = name;
    for (const v of views) $("view-" + v).hidden = v !== name;
    document.body.dataset.view = name;
    const heading = $("view-" + name).querySelector("h1");
    if (focus !== false && heading && name !== "join") heading.focus();
  }
  function status(text) { $("status").textContent = text || ""; }
  function send(msg) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function num(x) { return (Math.round(x * 100) / 100).toString(); }
  function pts(x) { return num(x || 0) + (Number(x) === 1 ? " point" : " points"); }

  // --- connection ---------------------------------------------------------------------------------

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/ws");
    ws.onopen = () => {
      retry = 500;
      status("");
      const s = saved();
      if (s.token) {
        token = s.token;
        send({ type: "resume", token: s.token });
      } else if (joining) {
        joinNow();
      }
    };
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg && typeof msg.type === "string") handle(msg);
    };
    ws.onclose = () => {
      ws = null;
      if (view === "removed") return;
      status("Connection lost: reconnecting…");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  function joinNow() {
    const code = $("code").value.trim();
    const name = $("name").value.trim();
    if (!code || !name) {
      $("join-error").textContent = !code ? "Enter the game code." : "Enter a nickname.";
      (!code ? $("code") : $("name")).focus();
      return;
    }
    $("join-error").textContent = "";
    joining = true;
    if (!ws || ws.readyState !== WebSocket.OPEN) { status("Connecting…"); return; }
    send({ type: "join", code: code, name: name });
  }

  // --- messages -----------------------------------------------------------------------------------

  function handle(msg) {
    switch (msg.type) {
      case "welcome":
        token = msg.token;
        myName = msg.name;
        joining = false;
        save({ token: msg.token, code: msg.code, name: msg.name });
        $("me").textContent = msg.name;
        break;
      case "lobby": return lobby(msg);
      case "question": return question(msg);
      case "ack": return locked(msg.q, msg.choice);
      case "pause": return pause(msg);
      case "reveal": return reveal(msg);
      case "end": return end(msg);
      case "removed":
        forget();
        show("removed");
        status("");
        return;
      case "error": return error(msg);
    }
  }

  function lobby(msg) {
    stopTimer();
    current = null;
    $("wait-title").textContent = "You're in, " + msg.name + "!";
    $("wait-text").textContent = msg.late
      ? "A question is under way: you will play from the next one."
      : msg.started ? "Waiting for the next question…" : "Waiting for the teacher to start…";
    $("wait-count").textContent = plural(msg.players, "player") + " in the game · " + plural(msg.total, "question");
    if (view !== "wait") show("wait");
  }

  function question(msg) {
    current = msg;
    lockedQ = 0;
    $("q-number").textContent = "Question " + msg.q + " of " + msg.total;
    $("q-title").textContent = msg.prompt;
    const box = $("options");
    box.textContent = "";
    msg.options.forEach((text, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "option o" + (i + 1);
      b.dataset.index = String(i);
      b.setAttribute("aria-label", "Option " + (i + 1) + ": " + text);
      const n = document.createElement("span");
      n.className = "num";
      n.setAttribute("aria-hidden", "true");
      n.textContent = String(i + 1);
      const t = document.createElement("span");
      t.textContent = text;
      b.append(n, t);
      b.addEventListener("click", () => answer(i));
      box.append(b);
    });
    $("q-hint").textContent = "Tap an option, or press its number key (1-" + msg.options.length + ").";
    if (typeof msg.locked === "number") { locked(msg.q, msg.locked); return; }
    show("question");
    startTimer(msg.remaining, msg.paused);
    status(msg.paused ? "Paused by the teacher." : "");
  }

  function answer(i) {
    if (!current || view !== "question" || lockedQ === current.q) return;
    lockedQ = current.q;
    for (const b of $("options").querySelectorAll("button")) b.disabled = true;
    send({ type: "answer", q: current.q, choice: i });
  }

  function locked(q, choice) {
    if (!current || current.q !== q) return;
    lockedQ = q;
    stopTimer();
    $("locked-choice").textContent = "You chose " + (choice + 1) + ". " + current.options[choice];
    $("locked-choice").className = "choice";
    show("locked");
  }

  function pause(msg) {
    if (!current) return;
    if (msg.paused) {
      stopTimer();
      status("Paused by the teacher.");
    } else {
      status("");
      if (view === "question") startTimer(msg.remaining, false);
    }
    if (current) current.paused = msg.paused;
  }

  function reveal(msg) {
    stopTimer();
    current = null;
    const mine = msg.answer_of_yours || {};
    const verdict = $("verdict");
    if (!mine.asked) {
      verdict.textContent = "You joined after this question";
      verdict.className = "";
      $("reveal-points").textContent = "";
    } else if (mine.correct) {
      verdict.textContent = "✓ Right!";
      verdict.className = "right";
      $("reveal-points").textContent = "+" + pts(mine.points);
    } else {
      verdict.textContent = mine.timed_out ? "⏱ Time's up" : "✗ Wrong";
      verdict.className = "wrong";
      $("reveal-points").textContent = "+0 points";
    }
    $("reveal-answer").textContent = "Answer: " + (msg.correct + 1) + ". " + msg.answer;
    const you = msg.you || {};
    $("reveal-rank").textContent = "Total " + pts(you.points) +
      (you.rank ? " · rank " + you.rank + " of " + you.players : "") +
      (you.streak >= 2 ? " · streak " + you.streak : "");
    $("reveal-explanation").textContent = msg.explanation || "";
    $("reveal-source").textContent = msg.source ? "Source: " + msg.source : "";
    show("reveal");
    status("");
  }

  function end(msg) {
    stopTimer();
    current = null;
    const you = msg.you || {};
    $("end-score").textContent = pts(you.points) + " · " + (you.right || 0) + " of " + (you.answered || 0) + " right";
    $("end-rank").textContent = you.rank ? "You came " + you.rank + " of " + you.players + "." : "";
    const podium = $("podium");
    podium.textContent = "";
    for (const p of msg.podium || []) {
      const li = document.createElement("li");
      li.value = p.rank; // equal points share a place: 1, 1, 3
      li.textContent = p.name + " — " + pts(p.points);
      podium.append(li);
    }
    podium.hidden = !(msg.podium && msg.podium.length);
    show("end");
    status("Thanks for playing!");
  }

  function error(msg) {
    if (msg.reason === "unknown_token" || msg.reason === "removed") {
      forget();
      show(msg.reason === "removed" ? "removed" : "join", false);
      if (msg.reason !== "removed") status("That game has ended or you were not in it: join again.");
      return;
    }
    if (view === "join" || joining) {
      joining = false;
      $("join-error").textContent = msg.message;
      if (msg.reason === "name_taken" || msg.reason === "bad_name") $("name").focus();
      else if (msg.reason === "bad_code") $("code").focus();
      return;
    }
    if (msg.reason === "already") return; // the first answer counts; nothing to change
    if (current && view === "question" && (msg.reason === "not_saved" || msg.reason === "paused")) {
      lockedQ = 0; // not taken: answer again
      for (const b of $("options").querySelectorAll("button")) b.disabled = false;
    }
    status(msg.message);
  }

  // --- countdown (the server decides; this only shows it) ------------------------------------------

  function startTimer(remaining, paused) {
    stopTimer();
    const el = $("q-timer");
    if (remaining === null || remaining === undefined) { el.textContent = ""; return; }
    deadline = performance.now() + remaining * 1000;
    const draw = () => {
      const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
      el.textContent = String(left);
      el.classList.toggle("low", left <= 5);
    };
    draw();
    if (!paused) timer = setInterval(draw, 250);
  }
  function stopTimer() { if (timer) { clearInterval(timer); timer = null; } }

  // --- start ---------------------------------------------------------------------------------------

  document.addEventListener("keydown", (ev) => {
    if (view !== "question" || !current || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const n = parseInt(ev.key, 10);
    if (n >= 1 && n <= current.options.length) { ev.preventDefault(); answer(n - 1); }
  });
  $("join-form").addEventListener("submit", (ev) => { ev.preventDefault(); joinNow(); });
  $("rejoin").addEventListener("click", () => { show("join"); $("name").value = ""; $("name").focus(); });

  const params = new URLSearchParams(location.search);
  const s = saved();
  $("code").value = (params.get("code") || "").replace(/\D/g, "").slice(0, 6);
  if (s.name) $("name").value = s.name;
  show("join", false);
  if (s.token) status("Reconnecting…");
  ($("code").value ? $("name") : $("code")).focus();
  connect();
})();
