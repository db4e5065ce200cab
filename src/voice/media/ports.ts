// RTP ports from a configured range: even numbers (RFC 3550 §11, RTCP would take the odd one above),
// handed out oldest-freed first so a late packet of an ended call does not land in a new one.

export class PortPool {
  private readonly free: number[] = [];
  private readonly used = new Set<number>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    for (let p = min + (min % 2); p + 1 <= max; p += 2) this.free.push(p);
  }

  get available(): number {
    return this.free.length;
  }

  get capacity(): number {
    return this.free.length + this.used.size;
  }

  take(): number | undefined {
    const port = this.free.shift();
    if (port !== undefined) this.used.add(port);
    return port;
  }

  give(port: number): void {
    if (this.used.delete(port)) this.free.push(port);
  }
}
