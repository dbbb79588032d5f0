// The test call's words in the dashboard's two languages (Hebrew first, the default).
export interface TestCallLabels {
  start: string;
  hangUp: string;
  keypad: string;
  phase: Record<'idle' | 'starting' | 'ringing' | 'greeting' | 'connected' | 'ended' | 'failed', string>;
  ended: Record<string, string>;
  failure: Record<'microphone' | 'refused' | 'network', string>;
  openCall: string;
  heard: string;
  headphones: string;
}

export const TEST_CALL_LABELS: Record<'he' | 'en', TestCallLabels> = {
  he: {
    start: 'התחלת שיחת בדיקה',
    hangUp: 'ניתוק',
    keypad: 'מקשים',
    phase: {
      idle: 'מוכן. השיחה עוברת דרך אמולטור Twilio של השרת, כמו שיחה אמיתית.',
      starting: 'מבקש גישה למיקרופון…',
      ringing: 'מצלצל…',
      greeting: 'הברכה מושמעת…',
      connected: 'מחובר לסוכן',
      ended: 'השיחה הסתיימה',
      failed: 'השיחה לא התקיימה',
    },
    ended: {
      caller: 'ניתקתם',
      api: 'הסוכן ניתק',
      twiml: 'זרימת השיחה הסתיימה',
      error: 'שגיאה בשרת (ראו את ציר הזמן של השיחה)',
      'time-limit': 'הגעתם למגבלת הזמן של שיחת בדיקה',
      emulator: 'השרת נעצר',
    },
    failure: {
      microphone: 'אין גישה למיקרופון',
      refused: 'השרת סירב לשיחה',
      network: 'החיבור לשרת נותק',
    },
    openCall: 'לעמוד השיחה',
    heard: 'נשמע מהסוכן',
    headphones: 'מומלץ להשתמש באוזניות, כדי שהסוכן לא ישמע את עצמו.',
  },
  en: {
    start: 'Start a test call',
    hangUp: 'Hang up',
    keypad: 'Keypad',
    phase: {
      idle: "Ready. The call goes through the server's own Twilio emulator, like a real one.",
      starting: 'Asking for the microphone…',
      ringing: 'Ringing…',
      greeting: 'The greeting is playing…',
      connected: 'Connected to the agent',
      ended: 'The call ended',
      failed: 'The call did not happen',
    },
    ended: {
      caller: 'You hung up',
      api: 'The agent hung up',
      twiml: 'The call flow ended',
      error: "A server error (see the call's timeline)",
      'time-limit': "A test call's time limit was reached",
      emulator: 'The server stopped',
    },
    failure: {
      microphone: 'No access to the microphone',
      refused: 'The server refused the call',
      network: 'The connection to the server was lost',
    },
    openCall: 'Open the call',
    heard: 'Heard from the agent',
    headphones: 'Headphones are best, so the agent does not hear itself.',
  },
};
