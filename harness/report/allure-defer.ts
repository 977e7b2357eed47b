/**
 * Allure 3's single-file report (3.18) puts its app before its data: a parser-blocking
 * `<script src="data:text/javascript;base64,…">`, then, further down the 3.6 MB page, the inline
 * script that fills `window.allureReportData`. The app asks for its data as soon as it has drawn
 * its frame, and where `allureReportData` is not set yet (`reportDataUrl` in
 * @allurereport/web-commons) it fetches `widgets/*.json` by URL instead, which file:// refuses.
 * When the browser parses slower than the app draws (a loaded machine; every time at 20x CPU
 * throttling) the report keeps its header and footer and never shows a result, with no page error.
 * Deferred, the app runs once the whole page is parsed, after the data script.
 *
 * Returns the page with the app's script deferred, or null when the page has no such script (an
 * Allure that lays its page out otherwise: the caller says so rather than guess).
 */
export function deferAppScript(html: string): string | null {
  const appScript = /<script\s+src="data:text\/javascript;base64,/g;
  const found = html.match(appScript);
  if (found?.length !== 1) return null;
  return html.replace(appScript, '<script defer src="data:text/javascript;base64,');
}
