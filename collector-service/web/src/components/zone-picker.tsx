import { type KeyboardEvent, useId, useMemo, useState } from 'react';

/** At most this many matches are listed, so the list never needs a scroll bar; typing narrows the rest. */
const SHOWN = 10;

let allZones: string[] | null = null;
/** Every IANA zone the browser knows, UTC first (read once: the list is long and never changes). */
function zones(): string[] {
  allZones ??= ['UTC', ...(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC') : [])];
  return allZones;
}

/** "America/New_York" and "new york" both as "america new york". */
const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[_/\-]+/g, ' ')
    .trim();

/**
 * The zones matching what was typed, best first: every word typed must appear; a city that starts
 * with the text comes first, then a word that does, then the rest.
 */
export function matchZones(query: string, all: readonly string[] = zones()): string[] {
  const q = words(query);
  if (!q) return [...all];
  const parts = q.split(' ');
  const rank = (zone: string) => {
    const w = words(zone);
    const city = words(zone.slice(zone.lastIndexOf('/') + 1));
    return city.startsWith(q) ? 0 : ` ${w}`.includes(` ${parts[0]}`) ? 1 : 2;
  };
  return all
    .filter((zone) => parts.every((p) => words(zone).includes(p)))
    .map((zone) => [rank(zone), zone] as const)
    .sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]))
    .map(([, zone]) => zone);
}

/**
 * A searchable time-zone field (the ARIA combobox pattern): type part of a city or region, pick with
 * the arrow keys and Enter or by clicking. Leaving the field keeps the zone typed if it is one, else
 * the zone it had. Keeps its `name`, so a form reads the zone as it would from a plain field.
 */
export function ZonePicker({ value, onChange, name, label = 'Time zone' }: { value: string; onChange: (zone: string) => void; name: string; label?: string }) {
  const id = useId();
  const [text, setText] = useState(value);
  const [typed, setTyped] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  // Before anything is typed, the zone in use comes first.
  const matches = useMemo(() => (!open ? [] : typed ? matchZones(text) : [value, ...matchZones('').filter((z) => z !== value)]), [open, typed, text, value]);
  const shown = matches.slice(0, SHOWN);
  // Shown again from the value when it changes elsewhere (the address, another page).
  const [shownValue, setShownValue] = useState(value);
  if (shownValue !== value) {
    setShownValue(value);
    setText(value);
  }

  const close = () => {
    setOpen(false);
    setTyped(false);
    setActive(0);
  };
  const pick = (zone: string) => {
    setText(zone);
    close();
    if (zone !== value) onChange(zone);
  };
  const leave = () => {
    const exact = zones().find((z) => z.toLowerCase() === text.trim().toLowerCase());
    if (exact) pick(exact);
    else {
      setText(value);
      close();
    }
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) setOpen(true);
      else setActive((i) => (e.key === 'ArrowDown' ? Math.min(i + 1, shown.length - 1) : Math.max(i - 1, 0)));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (open && shown[active]) pick(shown[active]);
      else leave();
    } else if (e.key === 'Escape' && open) {
      e.preventDefault();
      setText(value);
      close();
    }
  };
  const optionId = (i: number) => `${id}-zone-${i}`;
  return (
    <div className="combobox">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={`${id}-zones`}
        aria-activedescendant={open && shown[active] ? optionId(active) : undefined}
        value={text}
        onFocus={(e) => {
          e.target.select();
          setOpen(true);
        }}
        onClick={() => setOpen(true)}
        onChange={(e) => {
          setText(e.target.value);
          setTyped(true);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onBlur={leave}
      />
      <div className="combobox-popup" hidden={!open}>
        <ul id={`${id}-zones`} role="listbox" aria-label={`${label}s`} hidden={shown.length === 0}>
          {shown.map((zone, i) => (
            <li
              key={zone}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              className={zone === value ? 'current' : undefined}
              // Keeps the focus in the field, so its blur does not close the list before the click lands.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(zone)}
            >
              {zone}
            </li>
          ))}
        </ul>
        {shown.length === 0 && <p className="combobox-note">No time zone matches “{text}”.</p>}
        {matches.length > shown.length && <p className="combobox-note">{matches.length - shown.length} more: type more of the name.</p>}
      </div>
    </div>
  );
}
