import type { ReactNode } from 'react';

/** A titled section of a page; shows the request's error or a loading note instead of stale content. */
export function Panel({
  title,
  children,
  error,
  loading,
  className,
}: {
  title: string;
  children?: ReactNode;
  error?: string | null;
  loading?: boolean;
  className?: string;
}) {
  const id = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={id} aria-busy={loading || undefined}>
      <h2 id={id}>{title}</h2>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : (
        children
      )}
    </section>
  );
}

export function Card({
  label,
  value,
  detail,
  testId,
  children,
}: {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <div className="card" data-testid={testId}>
      <div className="card-label">{label}</div>
      <div className="card-value" data-testid={`${testId}-value`}>
        {value}
      </div>
      {detail && <div className="card-detail">{detail}</div>}
      {children}
    </div>
  );
}

export const Empty = ({ children = 'No calls in this period.' }: { children?: ReactNode }) => <p className="empty">{children}</p>;
