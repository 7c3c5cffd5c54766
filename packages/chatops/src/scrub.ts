// Kept where the service's modules import it from; the rule itself lives in core, beside the phone rules.
export { scrubPhones } from '@axnbot/core';
