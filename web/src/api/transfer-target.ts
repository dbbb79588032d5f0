// The Live page's transfer choice: a <select> value naming a department or an agent, and the
// body POST /calls/:callSid/transfer takes for it.

/** `department:sales` or `agent:dana`, the select's values; the body the API takes. */
export function transferBody(target: string): { department: string } | { agentId: string } | undefined {
  const colon = target.indexOf(':');
  if (colon < 0) return undefined;
  const kind = target.slice(0, colon);
  const id = target.slice(colon + 1);
  if (!id) return undefined;
  if (kind === 'department') return { department: id };
  if (kind === 'agent') return { agentId: id };
  return undefined;
}
