// Renders the chart objects: a small RGB line chart (price line, shaded area, volume bars)
// of the CHART_WINDOW bars ending on a story's day, encoded as PNG. Pure function of the bars.
import { encodePng } from '../../src/storage/png.ts';
import type { Bar } from './market.ts';

export const CHART_WIDTH = 160;
export const CHART_HEIGHT = 96;

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [250, 250, 252];
const GRID: Rgb = [226, 228, 234];
const VOLUME: Rgb = [190, 196, 210];
const UP_LINE: Rgb = [22, 150, 80];
const UP_FILL: Rgb = [214, 240, 222];
const DOWN_LINE: Rgb = [200, 52, 52];
const DOWN_FILL: Rgb = [248, 222, 222];

interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

function createCanvas(width: number, height: number, fill: Rgb): Canvas {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = fill[0];
    pixels[i + 1] = fill[1];
    pixels[i + 2] = fill[2];
  }
  return { width, height, pixels };
}

function setPixel(cv: Canvas, x: number, y: number, c: Rgb): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= cv.width || yi >= cv.height) return;
  const at = (yi * cv.width + xi) * 3;
  cv.pixels[at] = c[0];
  cv.pixels[at + 1] = c[1];
  cv.pixels[at + 2] = c[2];
}

function vline(cv: Canvas, x: number, y0: number, y1: number, c: Rgb): void {
  const [a, b] = y0 <= y1 ? [y0, y1] : [y1, y0];
  for (let y = Math.round(a); y <= Math.round(b); y++) setPixel(cv, x, y, c);
}

/** PNG bytes of a price chart of `bars` (at least 2). */
export function renderChart(bars: readonly Bar[]): Buffer {
  const W = CHART_WIDTH;
  const H = CHART_HEIGHT;
  const canvas = createCanvas(W, H, BACKGROUND);
  const left = 6;
  const right = W - 6;
  const top = 8;
  const priceBottom = H - 22;
  const volTop = H - 18;
  const volBottom = H - 4;
  for (let i = 0; i <= 4; i++) {
    const y = top + ((priceBottom - top) * i) / 4;
    for (let x = left; x <= right; x++) if (x % 2 === 0) setPixel(canvas, x, y, GRID);
  }
  const closes = bars.map((b) => b.close);
  const lo = Math.min(...bars.map((b) => b.low));
  const hi = Math.max(...bars.map((b) => b.high));
  const span = hi - lo || 1;
  const maxVol = Math.max(...bars.map((b) => Number(b.volume))) || 1;
  const n = bars.length;
  const xOf = (i: number): number => left + ((right - left) * i) / (n - 1);
  const yOf = (p: number): number => priceBottom - ((priceBottom - top) * (p - lo)) / span;
  const up = (closes[n - 1] ?? 0) >= (closes[0] ?? 0);
  const line = up ? UP_LINE : DOWN_LINE;
  const fill = up ? UP_FILL : DOWN_FILL;

  bars.forEach((b, i) => {
    const x = Math.round(xOf(i));
    const h = ((volBottom - volTop) * Number(b.volume)) / maxVol;
    for (let dx = -1; dx <= 1; dx++) vline(canvas, x + dx, volBottom, volBottom - h, VOLUME);
  });
  // Shade under the line column by column, then draw the line 2 px thick on top.
  const lineY: number[] = [];
  for (let x = left; x <= right; x++) {
    const t = ((x - left) / (right - left)) * (n - 1);
    const i = Math.min(n - 2, Math.floor(t));
    const a = closes[i] ?? 0;
    const b = closes[i + 1] ?? a;
    lineY.push(yOf(a + (b - a) * (t - i)));
  }
  lineY.forEach((y, j) => vline(canvas, left + j, y, priceBottom, fill));
  lineY.forEach((y, j) => {
    const prev = lineY[j - 1] ?? y;
    vline(canvas, left + j, prev, y, line);
    vline(canvas, left + j, prev + 1, y + 1, line);
  });
  const lastX = xOf(n - 1);
  const lastY = yOf(closes[n - 1] ?? 0);
  for (let dx = -2; dx <= 2; dx++) vline(canvas, lastX + dx, lastY - 2, lastY + 2, line);
  return encodePng(W, H, canvas.pixels);
}
