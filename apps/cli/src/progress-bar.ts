// A one-line progress bar on stderr: redrawn in place on a terminal, a line per change otherwise.

export function renderBar(done: number, total: number, failed: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} jobs${failed > 0 ? `, ${failed} failed` : ''}`;
}

export class ProgressBar {
  private last = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  update(done: number, total: number, failed: number): void {
    const line = renderBar(done, total, failed);
    if (line === this.last) return;
    this.last = line;
    this.write(this.tty ? `\r${line}` : line);
  }

  finish(): void {
    // The writer ends what it is given with a newline; on a terminal that closes the redrawn line.
    if (this.tty && this.last !== '') this.write('');
  }
}
