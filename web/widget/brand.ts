// The admin's widget colour applied to the chat: the header, the visitor's own bubbles and the primary buttons take
// it, with text in white or near-black, whichever is readable (WCAG 4.5:1). Accent text on white (links, outlines)
// takes it only when it is dark enough to read on white; a light colour leaves those in the default blue.
import type { CSSProperties } from 'react';

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of white on `hex`. */
export const whiteContrast = (hex: string) => 1.05 / (luminance(hex) + 0.05);

function darker(hex: string, by = 0.15): string {
  const parts = [1, 3, 5].map((i) => Math.round(Number.parseInt(hex.slice(i, i + 2), 16) * (1 - by)));
  return `#${parts.map((p) => p.toString(16).padStart(2, '0')).join('')}`;
}

/** CSS variables for the widget's root element; none for a missing or malformed colour. */
export function brandStyle(color: string | undefined): CSSProperties {
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) return {};
  const readableWhite = whiteContrast(color) >= 4.5;
  return {
    '--w-brand': color,
    '--w-on-brand': readableWhite ? '#fff' : '#111827',
    ...(readableWhite ? { '--p-accent': color, '--p-accent-dark': darker(color) } : {}),
  } as CSSProperties;
}
