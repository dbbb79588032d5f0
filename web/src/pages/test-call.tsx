// Test call (admins): the place for calling the agent from this browser — microphone in, the
// agent's voice out, a keypad — through the server's own Twilio emulator. This build does not
// have it; the page says so and what to use meanwhile (the CLI's emulated call).
import { useI18n } from '../i18n/i18n.js';
import { isAdmin, useSession } from '../session.js';
import { PageHeader } from '../components/ui.js';

export function TestCallPage() {
  const { t } = useI18n();
  const { user } = useSession();
  return (
    <section class="narrow" data-page="test-call">
      <PageHeader title={t.testCall.title} />
      {isAdmin(user) ? (
        <div class="card">
          <p>{t.testCall.intro}</p>
          <p class="note">{t.testCall.notYet}</p>
          <pre dir="ltr" class="cli">
            npx agentlocator call http://127.0.0.1:5000/webhook/incoming_call
          </pre>
        </div>
      ) : (
        <p class="note note-error">{t.common.forbidden}</p>
      )}
    </section>
  );
}
