// A card step the site refused in the seed's words (core/refusal.ts answers { refused: { code, message } })
// fails like any other card step failure.
'use strict';

function accepted(answer) {
  if (answer && answer.refused) throw Object.assign(new Error(answer.refused.message + '（' + answer.refused.code + '）'), { agent: true });
  return answer;
}
