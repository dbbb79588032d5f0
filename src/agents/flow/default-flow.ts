// The default Hebrew call flow: a receptionist that routes by keypad and takes a message.
import type { FlowInput } from './flow-schema.js';

export const DEFAULT_FLOW: FlowInput = {
  name: 'default-he',
  voice: 'he',
  start: 'welcome',
  silenceSec: 6,
  maxRetries: 2,
  goodbyeNoInput: 'לא שמענו אתכם. תודה שהתקשרתם, להתראות.',
  steps: {
    welcome: {
      type: 'menu',
      prompt: 'לשיחה עם נציג מכירות הקישו 1. לשירות לקוחות הקישו 2. להשארת פרטים הקישו 3.',
      options: { '1': 'sales', '2': 'support', '3': 'ask_name' },
      noInput: 'ask_name',
    },
    sales: {
      type: 'transfer',
      prompt: 'מעבירים אתכם לנציג מכירות.',
      department: 'sales',
      topic: 'מכירות',
      fallback: 'ask_name',
    },
    support: {
      type: 'transfer',
      prompt: 'מעבירים אתכם לשירות הלקוחות.',
      department: 'support',
      topic: 'שירות לקוחות',
      fallback: 'ask_name',
    },
    ask_name: { type: 'question', prompt: 'אנא אמרו את שמכם.', field: 'name', next: 'ask_need', maxSec: 10 },
    ask_need: {
      type: 'question',
      prompt: 'במה נוכל לעזור לכם?',
      field: 'need',
      next: 'confirm_phone',
      maxSec: 30,
    },
    confirm_phone: {
      type: 'keypad',
      prompt: 'הקישו את מספר הטלפון לחזרה, ובסיום הקישו סולמית.',
      field: 'callbackNumber',
      next: 'goodbye',
      minDigits: 9,
      maxDigits: 12,
      invalidPrompt: 'המספר קצר מדי. נסו שוב.',
    },
    goodbye: { type: 'end', prompt: 'תודה רבה. נחזור אליכם בהקדם. להתראות.' },
  },
};
