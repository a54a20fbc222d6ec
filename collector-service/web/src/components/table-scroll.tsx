import type { ReactNode } from 'react';

/**
 * A table that may be wider than a narrow window: it scrolls sideways within itself, never the page.
 * Focusable, so the keyboard can scroll it too; named like the table it holds.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
