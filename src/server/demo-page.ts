// The browser demo `weft serve` shows at GET /: a topic, a button, and two panes that fill token
// by token from ONE run, because the server names each message event after its model's tag
// (`messages|joke`, `messages|poem`). Plain HTML and a small script: fetch + a stream reader.

/** The demo page for `assistantId` (a graph whose models are tagged "joke" and "poem"). */
export function demoPage(assistantId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weft — joke and poem</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
  form { display: flex; gap: .5rem; margin-bottom: 1rem; }
  input { flex: 1; padding: .5rem; font: inherit; }
  button { padding: .5rem 1rem; font: inherit; }
  .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
  section { border: 1px solid #ccc; border-radius: .5rem; padding: 0 1rem 1rem; min-height: 10rem; }
  pre { white-space: pre-wrap; font: inherit; margin: 0; }
  #status { color: #666; min-height: 1.5em; }
</style>
</head>
<body>
<h1>Joke and poem</h1>
<form id="form">
  <input id="topic" name="topic" placeholder="A topic, e.g. cats" required autocomplete="off">
  <button id="go" type="submit">Write</button>
</form>
<p id="status" role="status"></p>
<div class="panes">
  <section><h2>Joke</h2><pre id="joke" aria-live="polite"></pre></section>
  <section><h2>Poem</h2><pre id="poem" aria-live="polite"></pre></section>
</div>
<script type="module">
const assistantId = ${JSON.stringify(assistantId)};
const apiKey = new URLSearchParams(location.hash.slice(1)).get("key");
const headers = { "Content-Type": "application/json", ...(apiKey ? { "X-Api-Key": apiKey } : {}) };
const form = document.getElementById("form");
const button = document.getElementById("go");
const status = document.getElementById("status");
const panes = { joke: document.getElementById("joke"), poem: document.getElementById("poem") };

// Calls onEvent(name, data) for each SSE event of a fetch Response body.
async function readEvents(response, onEvent) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value.replace(/\\r\\n?/g, "\\n");
    let end;
    while ((end = buffer.indexOf("\\n\\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) onEvent(name, JSON.parse(data.join("\\n")));
    }
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  panes.joke.textContent = "";
  panes.poem.textContent = "";
  document.body.dataset.state = "running";
  status.textContent = "Writing...";
  try {
    const thread = await (await fetch("/threads", { method: "POST", headers, body: "{}" })).json();
    document.body.dataset.threadId = thread.thread_id;
    const response = await fetch("/threads/" + encodeURIComponent(thread.thread_id) + "/runs/stream", {
      method: "POST",
      headers,
      body: JSON.stringify({
        assistant_id: assistantId,
        input: { topic: document.getElementById("topic").value },
        stream_mode: ["messages-tuple", "values"],
        route_messages_by: "tag",
      }),
    });
    if (!response.ok) throw new Error((await response.json()).message);
    await readEvents(response, (name, data) => {
      const pane = name.startsWith("messages|") ? panes[name.slice(9)] : undefined;
      if (pane) pane.textContent += data[0].content;
      else if (name === "metadata") document.body.dataset.runId = data.run_id;
      else if (name === "error") throw new Error(data.message);
    });
    status.textContent = "Done.";
    document.body.dataset.state = "done";
  } catch (error) {
    status.textContent = "Failed: " + error.message;
    document.body.dataset.state = "failed";
  } finally {
    button.disabled = false;
  }
});
</script>
</body>
</html>
`;
}
