/**
 * A one-line progress bar drawn on `stream` (stderr) while a person watches: only when `show` (stdout is a
 * terminal), so piped output and logs stay clean.
 */
export function progressBar(stream: NodeJS.WritableStream, label: string, total: number, show: boolean) {
  let done = 0;
  const draw = () => {
    if (!show || total === 0) return;
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
      if (show && total > 0) stream.write('\n');
    },
  };
}
