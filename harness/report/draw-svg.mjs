// @ts-check
// One vega-lite spec drawn to SVG with vega, headless. Plain JavaScript, so that the chart thread
// (chart-thread.mjs) runs it under plain node as the CLI's own thread does (chart-renderer.ts).
import * as vega from 'vega';
import { compile } from 'vega-lite';

/** @param {import('vega-lite').TopLevelSpec} spec @returns {Promise<string>} */
export async function drawSvg(spec) {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
