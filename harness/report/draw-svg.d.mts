import type { TopLevelSpec } from 'vega-lite';

/** One vega-lite spec drawn to SVG with vega, headless (draw-svg.mjs). */
export function drawSvg(spec: TopLevelSpec): Promise<string>;
