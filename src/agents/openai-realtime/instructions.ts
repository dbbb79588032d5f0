// The model's instructions: a Hebrew receptionist persona by default (overridable from a file),
// plus the per-call facts the model cannot know (caller number, first name, local time, a
// reconnect briefing). Caller-supplied text never goes in: the number only as E.164, the name
// only as one word of letters (returning-caller.ts).
import { readFile } from 'node:fs/promises';
import { contactPhoneFor } from '../../store/phone.js';
import { e164Caller, firstNameOf } from '../returning-caller.js';

export const DEFAULT_INSTRUCTIONS_HE = `אתה נציג קבלה טלפוני של העסק. המתקשר כבר שמע הודעת פתיחה מוקלטת, אז פתח מיד בשאלה קצרה: במה אפשר לעזור?

סגנון:
- עברית טבעית, חמה ומקצועית, במשפטים קצרים: זו שיחת טלפון.
- שאלה אחת בכל פעם. אל תקריא רשימות ארוכות.
- אם המתקשר מדבר בשפה אחרת, ענה בשפה שלו.
- מספרי טלפון וסכומים אמור ספרה אחר ספרה.
- אם קטעו אותך, עצור והקשב. אל תחזור על מה שכבר נאמר.

מטרות:
1. להבין מה המתקשר צריך.
2. לאסוף שם, צורך, אזור, תקציב ומתי נוח לחזור אליו, ולשמור עם save_lead ברגע שידוע משהו.
3. אם מבקשים אדם או מחלקה, או שאין לך תשובה, להעביר לנציג אנושי עם transfer_to_human.

כלים:
- בתחילת השיחה קרא ל-lookup_caller בלי להודיע על כך. אם המתקשר מוכר, פנה אליו בשמו.
- לאישור מספר טלפון: בקש מהמתקשר להקיש את המספר ולסיים בסולמית, ואז קרא ל-confirm_number_by_keypad.
- בסוף השיחה: אמור להתראות בקצרה ואז קרא ל-end_call.

אל תמציא מחירים, זמינות או מדיניות. אם אינך יודע, אמור שנציג יחזור עם תשובה ושמור את הבקשה.`;

/** Reads instructions from a UTF-8 file; undefined path = the default persona. */
export async function loadInstructions(file: string | undefined): Promise<string> {
  if (!file) return DEFAULT_INSTRUCTIONS_HE;
  const text = (await readFile(file, 'utf8')).trim();
  if (!text) throw new Error(`instructions file ${file} is empty`);
  return text;
}

export function callInstructions(
  base: string,
  call: { from: string | null; firstName?: string | null; now: Date; resumeBriefing?: string },
): string {
  const time = call.now.toLocaleString('he-IL', { timeZone: 'Asia/Jerusalem', hour12: false });
  const number = e164Caller(call.from) ?? (contactPhoneFor(call.from) === null ? 'חסוי' : 'לא ידוע');
  const lines = [base, '', 'פרטי השיחה:', `- מספר המתקשר: ${number}`];
  const firstName = firstNameOf(call.firstName);
  if (firstName) {
    lines.push(
      `- שם פרטי לפי רישומי הלקוחות: "${firstName}" (פנה אליו בשמו הפרטי; כל פרט נוסף רק ממה ש-lookup_caller מחזיר).`,
    );
  }
  lines.push(`- התאריך והשעה בישראל: ${time}`);
  if (call.resumeBriefing) {
    lines.push(
      '',
      'השיחה נותקה לרגע מסיבה טכנית וחודשה. התנצל במשפט אחד קצר והמשך מאותה נקודה, בלי לפתוח מחדש.',
      'התמליל עד כה:',
      call.resumeBriefing,
    );
  }
  return lines.join('\n');
}

/** Response instructions (they replace the session's for that response) when the caller is silent. */
export const IDLE_CHECK_IN =
  'המתקשר שותק כבר כמה שניות. שאל במשפט אחד קצר אם הוא עדיין על הקו ואם אפשר לעזור, בשפה שבה המתקשר דיבר בשיחה (בעברית אם עוד לא דיבר). אל תקרא לשום כלי.';
export const IDLE_GOODBYE =
  'המתקשר לא עונה. אמור במשפט אחד קצר שנראה שהקו שקט, שאפשר להתקשר שוב בכל עת, ולהתראות, בשפה שבה המתקשר דיבר בשיחה (בעברית אם לא דיבר). אל תקרא לשום כלי: השיחה תסתיים אחרי המשפט.';

export const WRAP_UP_NOTE =
  'השיחה מגיעה למגבלת הזמן שלה. אמור למתקשר בנימוס שנצטרך לסיים עכשיו, שנציג יחזור אליו, ואז קרא ל-end_call.';

export const SUMMARY_INSTRUCTIONS = `Summarise this phone call for the CRM. Reply with one JSON object and nothing else:
{"summary": "<two to four sentences in Hebrew: who called, what they need, what was agreed>",
 "lead": {"name": "...", "need": "...", "area": "...", "budget": "...", "callback_time": "..."}}
Leave out lead fields nobody said; use "lead": null when the caller gave nothing to follow up.`;
