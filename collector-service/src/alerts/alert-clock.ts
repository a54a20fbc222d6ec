/**
 * The alerts' notion of now (which day, hour or month is current) for scheduled and after-ingest
 * runs. One object per app, so a test can move it (`app.get(AlertClock).now = () => ...`).
 */
export class AlertClock {
  now: () => number = () => Date.now();
}
