/**
 * A small time-series line chart on a canvas: a fixed time window, an automatic y scale with
 * round gridlines, one or more lines with a soft fill. Redraws at most once per animation frame.
 */

/** One line of a chart. */
export interface SeriesSpec {
  label: string;
  color: string;
}

interface Point {
  t: number;
  values: number[];
}

/** Options of {@link LineChart}. */
export interface LineChartOptions {
  title: string;
  unit: string;
  series: SeriesSpec[];
  /** Shown window, ms. Default 30 s. */
  windowMs?: number;
  /** The y axis reaches at least this (so that an idle metric is not blown up). Default 1. */
  minTop?: number;
  /** Formats the current value (default: up to 1 decimal). */
  format?: (value: number) => string;
}

const AXIS = '#93a0b8';
const GRID = 'rgba(147, 160, 184, 0.15)';

/** A round number at or above `value` (1, 2, 2.5, 5 × 10^n), for the top of the y axis. */
function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** Gridline labels: whole numbers as they are, others with one decimal. */
const axisLabel = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

const defaultFormat = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** A chart card: title, current value and canvas, appended to `parent`. */
export class LineChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly valueLabel: HTMLElement;
  private readonly points: Point[] = [];
  private readonly windowMs: number;
  private readonly format: (value: number) => string;
  private pending = false;

  constructor(parent: HTMLElement, private readonly options: LineChartOptions) {
    this.windowMs = options.windowMs ?? 30_000;
    this.format = options.format ?? defaultFormat;
    this.element = document.createElement('figure');
    this.element.className = 'chart';
    this.element.style.margin = '0';
    const head = document.createElement('figcaption');
    head.className = 'chart-head';
    const title = document.createElement('span');
    title.className = 'chart-title';
    title.textContent = options.title;
    this.valueLabel = document.createElement('span');
    this.valueLabel.className = 'chart-value';
    this.valueLabel.textContent = '–';
    head.append(title, this.valueLabel);
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `${options.title} over the last ${this.windowMs / 1000} seconds`);
    this.element.append(head, this.canvas);
    parent.append(this.element);
    new ResizeObserver(() => this.schedule()).observe(this.canvas);
  }

  /** Adds a sample (one value per series) taken at time `t` (ms). */
  push(t: number, values: number[]): void {
    this.points.push({ t, values });
    while (this.points.length > 2 && this.points[1]!.t < t - this.windowMs) this.points.shift();
    const [first, ...rest] = values;
    const unit = document.createElement('small');
    unit.textContent = this.options.unit;
    this.valueLabel.replaceChildren(this.format(first ?? 0), unit);
    if (rest.length > 0) this.valueLabel.title = this.options.series.map((s, i) => `${s.label}: ${this.format(values[i] ?? 0)}`).join(', ');
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const left = 34;
    const top = 6;
    const bottom = height - 4;
    const right = width - 2;
    let max = this.options.minTop ?? 1;
    for (const p of this.points) for (const v of p.values) if (v > max) max = v;
    const yTop = niceCeil(max * 1.1);
    const y = (v: number): number => bottom - (v / yTop) * (bottom - top);
    const end = this.points.at(-1)?.t ?? Date.now();
    const start = end - this.windowMs;
    const x = (t: number): number => left + ((t - start) / this.windowMs) * (right - left);

    // Gridlines and their labels.
    ctx.font = '10px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 2; i++) {
      const value = (yTop * i) / 2;
      const gy = Math.round(y(value)) + 0.5;
      ctx.strokeStyle = GRID;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(left, gy);
      ctx.lineTo(right, gy);
      ctx.stroke();
      ctx.fillStyle = AXIS;
      ctx.fillText(axisLabel(value), left - 5, Math.min(Math.max(gy, top + 4), bottom - 4));
    }

    if (this.points.length < 2) return;
    // Later series are drawn first, so the main one (index 0) stays on top.
    for (let s = this.options.series.length - 1; s >= 0; s--) {
      const color = this.options.series[s]!.color;
      ctx.beginPath();
      this.points.forEach((p, i) => {
        const px = Math.max(x(p.t), left);
        const py = y(p.values[s] ?? 0);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.strokeStyle = color;
      ctx.lineWidth = s === 0 ? 2 : 1.25;
      ctx.lineJoin = 'round';
      ctx.stroke();
      if (s === 0) {
        ctx.lineTo(x(end), bottom);
        ctx.lineTo(Math.max(x(this.points[0]!.t), left), bottom);
        ctx.closePath();
        const fill = ctx.createLinearGradient(0, top, 0, bottom);
        fill.addColorStop(0, `${color}55`);
        fill.addColorStop(1, `${color}00`);
        ctx.fillStyle = fill;
        ctx.fill();
      }
    }
  }
}
