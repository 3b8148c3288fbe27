import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'eager', 'gentle',
  'golden', 'happy', 'humble', 'jolly', 'keen', 'lively', 'lucky', 'mellow', 'merry', 'mighty',
  'nimble', 'noble', 'proud', 'quick', 'quiet', 'rapid', 'shiny', 'silent', 'silver', 'smart',
  'steady', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty', 'young', 'zesty',
];
const NOUNS = [
  'acorn', 'badger', 'beacon', 'breeze', 'brook', 'cedar', 'comet', 'coral', 'crane', 'delta',
  'ember', 'falcon', 'fern', 'fjord', 'gecko', 'glacier', 'harbor', 'heron', 'island', 'lagoon',
  'lantern', 'maple', 'meadow', 'nebula', 'otter', 'panda', 'pebble', 'pine', 'quartz', 'raven',
  'river', 'sparrow', 'summit', 'thistle', 'tiger', 'tulip', 'valley', 'walrus', 'willow', 'zephyr',
];

/** A readable random id like the reference's: `<adjective>-<noun>-<8 digits>`. */
export function readableId(): string {
  const digits = String(randomInt(0, 100_000_000)).padStart(8, '0');
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${digits}`;
}
