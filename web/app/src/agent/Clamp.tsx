import type { CSSProperties, ReactNode } from 'react';

/** Text cut to `lines` lines with an ellipsis, by CSS alone (no hidden measuring copy of the text). */
export function Clamp({
  lines,
  children,
  style,
}: {
  lines: number;
  children: ReactNode;
  style?: CSSProperties;
}) {
  return (
    <p
      style={{
        margin: 0,
        display: '-webkit-box',
        WebkitLineClamp: lines,
        WebkitBoxOrient: 'vertical',
        overflow: 'hidden',
        wordBreak: 'break-word',
        ...style,
      }}
    >
      {children}
    </p>
  );
}
