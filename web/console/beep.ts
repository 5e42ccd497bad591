// A short notification tone made with WebAudio. The AudioContext is created only from a user gesture (enabling
// notifications), so the browser never blocks it as autoplay; every failure is swallowed: a beep is never an error.

let context: AudioContext | undefined;

export function unlockAudio() {
  try {
    context ??= new AudioContext();
    context.resume().catch(() => undefined);
  } catch {
    context = undefined;
  }
}

export function beep() {
  if (context?.state !== 'running') return;
  try {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = 'sine';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, context.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.15, context.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + 0.25);
    osc.connect(gain).connect(context.destination);
    osc.start();
    osc.stop(context.currentTime + 0.26);
  } catch {
    /* no sound is fine */
  }
}
