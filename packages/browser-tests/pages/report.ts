// How a test page hands its result to the test: one JSON-able object on window.__convgradResult.
// An exception anywhere becomes { error } (and a console.error, so the console check fails too).

declare global {
  interface Window { __convgradResult?: unknown }
}

export async function report(run: () => Promise<object>): Promise<void> {
  let result: object;
  try {
    result = await run();
  } catch (e) {
    console.error(e);
    result = { error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  const out = document.getElementById('result');
  if (out) out.textContent = JSON.stringify(result, null, 2);
  window.__convgradResult = result;
}
