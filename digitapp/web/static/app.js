// The drawing page: draw with a mouse, pen or finger (pointer events) or upload an image;
// the drawing is sent to POST /predict as a PNG while you draw, at most one request at a
// time, and the answer and every class's probability are shown. No libraries, no build step.
"use strict";

const BRUSH = 18;          // pixels on the 280-pixel canvas, as in the desktop app's canvas
const DEBOUNCE_MS = 60;    // quiet time before a drawing update is sent
const $ = (id) => document.getElementById(id);

const canvas = $("canvas");
const ctx = canvas.getContext("2d");
const state = {
  token: new URLSearchParams(location.hash.slice(1)).get("token") || sessionStorage.getItem("digitapp-token") || "",
  classes: [],
  drawing: false,
  hasInk: false,
  last: null,
  timer: null,
  inFlight: false,
  again: false,
};

function headers() {
  return state.token ? { Authorization: `Bearer ${state.token}` } : {};
}

function showStatus(text) {
  $("status").textContent = text || "";
}

async function call(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers() });
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: said below */ }
  if (response.status === 401) $("token-form").hidden = false;
  if (!response.ok) throw new Error((body && body.error) || `The service answered ${response.status}.`);
  return body;
}

// ---------------------------------------------------------------- model and bars

async function loadModel() {
  try {
    const model = await call("/model");
    state.classes = model.classes;
    const accuracy = model.test_accuracy == null ? "" : `, ${(100 * model.test_accuracy).toFixed(1)}% on its test set`;
    $("model-info").textContent = `${model.dataset} · ${model.architecture}${accuracy}`;
    buildBars();
    showStatus("");
  } catch (error) {
    $("model-info").textContent = "Model unavailable.";
    showStatus(error.message);
  }
}

function buildBars() {
  const list = $("bars");
  list.replaceChildren(...state.classes.map((name) => {
    const item = document.createElement("li");
    item.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="value"></span>';
    item.querySelector(".name").textContent = name;
    item.dataset.name = name;
    return item;
  }));
}

function showAnswer(row, source) {
  // "4", "Not a digit" or "Unsure — maybe 4 or 9", as the desktop app says it.
  // Words ("Not a digit", "Unsure — maybe …") in a smaller size than a digit, and no percentage
  // unless the answer is stated as fact (the bars show every probability).
  $("answer").textContent = row.answer;
  $("answer").classList.toggle("words", row.unsure);
  $("confidence").textContent = row.unsure ? "" : `${(100 * row.confidence).toFixed(1)}%`;
  $("source").textContent = source;
  // The most likely class stands out (the "not a digit" class too, when it is the answer).
  const top = Object.keys(row.probabilities).reduce((a, b) => (row.probabilities[b] > row.probabilities[a] ? b : a));
  for (const item of $("bars").children) {
    const p = row.probabilities[item.dataset.name] || 0;
    item.querySelector(".fill").style.width = `${(100 * p).toFixed(1)}%`;
    item.querySelector(".value").textContent = `${(100 * p).toFixed(1)}%`;
    item.classList.toggle("top", item.dataset.name === top);
  }
}

function clearAnswer() {
  $("answer").textContent = "–";
  $("confidence").textContent = "";
  $("source").textContent = "";
  for (const item of $("bars").children) {
    item.querySelector(".fill").style.width = "0";
    item.querySelector(".value").textContent = "";
    item.classList.remove("top");
  }
}

// ---------------------------------------------------------------- predictions

async function predict(blob, name, source) {
  const form = new FormData();
  form.append("file", blob, name);
  const rows = await call("/predict", { method: "POST", body: form });
  showAnswer(rows[0], source);
  showStatus("");
}

// Only one drawing request at a time; strokes made meanwhile are sent when it returns.
function sendDrawing() {
  if (!state.hasInk) return;
  if (state.inFlight) { state.again = true; return; }
  state.inFlight = true;
  canvas.toBlob(async (blob) => {
    try {
      await predict(blob, "drawing.png", "Your drawing");
    } catch (error) {
      showStatus(error.message);
    } finally {
      state.inFlight = false;
      if (state.again) { state.again = false; sendDrawing(); }
    }
  }, "image/png");
}

function scheduleDrawing() {
  clearTimeout(state.timer);
  state.timer = setTimeout(sendDrawing, DEBOUNCE_MS);
}

// ---------------------------------------------------------------- drawing

function clearCanvas() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  state.hasInk = false;
}

function point(event) {
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
}

function strokeTo([x, y]) {
  const [x0, y0] = state.last || [x, y];
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x, y);
  ctx.stroke();
  state.last = [x, y];
  state.hasInk = true;
}

canvas.addEventListener("pointerdown", (event) => {
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  if ($("preview").hidden === false) { $("preview").hidden = true; clearCanvas(); }
  state.drawing = true;
  state.last = null;
  strokeTo(point(event));
  scheduleDrawing();
});

canvas.addEventListener("pointermove", (event) => {
  if (!state.drawing) return;
  // Coalesced events: every point the pointer passed, not only one per frame.
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  for (const e of (events.length ? events : [event])) strokeTo(point(e));
  scheduleDrawing();
});

for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, () => {
    if (!state.drawing) return;
    state.drawing = false;
    state.last = null;
    scheduleDrawing();
  });
}

$("clear").addEventListener("click", () => {
  clearCanvas();
  $("preview").hidden = true;
  clearAnswer();
  showStatus("");
});

$("upload").addEventListener("change", async () => {
  const file = $("upload").files[0];
  if (!file) return;
  clearCanvas();
  const preview = $("preview");
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(file);
  preview.hidden = false;
  try {
    await predict(file, file.name, file.name);
  } catch (error) {
    clearAnswer();
    showStatus(error.message);
  }
  $("upload").value = "";
});

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.token = $("token").value.trim();
  sessionStorage.setItem("digitapp-token", state.token);
  $("token-form").hidden = true;
  loadModel();
});

ctx.strokeStyle = "#fff";
ctx.lineWidth = BRUSH;
ctx.lineCap = "round";
ctx.lineJoin = "round";
clearCanvas();
loadModel();
