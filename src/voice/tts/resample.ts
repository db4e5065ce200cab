/**
 * Sample-rate conversion by windowed-sinc interpolation (Blackman window, 16 zero crossings a
 * side): eSpeak NG speaks at 22 050 Hz, uploads come at 16 kHz or more, a call carries 8 kHz. The
 * low-pass sits at 92 % of the lower Nyquist frequency, so nothing above 3.7 kHz folds back into
 * the telephone band when going down to 8 kHz.
 */
const ZERO_CROSSINGS = 16;
const PASS = 0.92;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

function blackman(u: number): number {
  // u in [-1, 1]; 0 at the edges, 1 in the middle.
  return 0.42 + 0.5 * Math.cos(Math.PI * u) + 0.08 * Math.cos(2 * Math.PI * u);
}

export function resample(input: Int16Array, from: number, to: number): Int16Array {
  if (!(from > 0 && to > 0)) throw new RangeError(`sample rates must be positive (${from} → ${to})`);
  if (from === to) return input.slice();
  const ratio = to / from;
  // Cut-off as a fraction of the input rate's Nyquist frequency.
  const cutoff = Math.min(1, ratio) * PASS;
  const half = ZERO_CROSSINGS / cutoff;
  const out = new Int16Array(Math.floor(input.length * ratio));
  for (let n = 0; n < out.length; n++) {
    const t = n / ratio;
    const first = Math.max(0, Math.ceil(t - half));
    const last = Math.min(input.length - 1, Math.floor(t + half));
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const d = t - i;
      sum += input[i]! * cutoff * sinc(cutoff * d) * blackman(d / half);
    }
    out[n] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : Math.round(sum);
  }
  return out;
}
