// Test call (admins): calling the agent from this browser — microphone in, the agent's voice out,
// a keypad — through the server's own Twilio emulator (web/src/test-call/).
import { useI18n } from '../i18n/i18n.js';
import { isAdmin, useSession } from '../session.js';
import { PageHeader } from '../components/ui.js';
import { TestCallPanel } from '../test-call/test-call-panel.js';

export function TestCallPage() {
  const { t } = useI18n();
  const { user } = useSession();
  return (
    <section class="narrow" data-page="test-call">
      <PageHeader title={t.testCall.title} />
      {isAdmin(user) ? (
        <div class="card">
          <p>{t.testCall.intro}</p>
          <TestCallPanel />
        </div>
      ) : (
        <p class="note note-error">{t.common.forbidden}</p>
      )}
    </section>
  );
}
