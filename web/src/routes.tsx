// Which page a path shows. The server answers every one of these paths with index.html.
import { useEffect } from 'preact/hooks';
import { match, navigate, useLocation } from './router.js';
import { LivePage } from './pages/live.js';
import { CallsPage } from './pages/calls.js';
import { CallPage } from './pages/call.js';
import { LeadsPage } from './pages/leads.js';
import { ContactsPage } from './pages/contacts.js';
import { ContactPage } from './pages/contact.js';
import { AgentsPage } from './pages/agents.js';
import { SettingsPage } from './pages/settings.js';
import { TestCallPage } from './pages/test-call.js';
import { NotFoundPage } from './pages/not-found.js';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function Routes() {
  const { path } = useLocation();
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (clean === '/' || clean === '/login') return <Redirect to="/live" />;
  if (clean === '/live') return <LivePage />;
  if (clean === '/calls') return <CallsPage />;
  const call = match('/calls/:callSid', clean);
  if (call) return <CallPage callSid={call.callSid ?? ''} />;
  if (clean === '/leads') return <LeadsPage />;
  if (clean === '/contacts') return <ContactsPage />;
  const contact = match('/contacts/:id', clean);
  if (contact) return <ContactPage id={contact.id ?? ''} />;
  if (clean === '/agents') return <AgentsPage />;
  if (clean === '/settings') return <SettingsPage />;
  if (clean === '/test-call') return <TestCallPage />;
  return <NotFoundPage />;
}
