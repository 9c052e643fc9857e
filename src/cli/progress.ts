/** A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal. */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, total: number) {
  let done = 0;
  const draw = () => {
    if (!stream.isTTY || total === 0) return;
    const width = 30;
    const filled = Math.round((done / total) * width);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
  draw();
  return {
    tick() {
      done++;
      draw();
    },
    finish() {
      if (stream.isTTY && total > 0) stream.write('\n');
    },
  };
}
