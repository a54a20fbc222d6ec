/** A text field of a submitted form; a field the form does not have (or a file) reads as "". */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
