// Shared by the waste system's card pages: a card step the site refused in the seed's words
// (core/refusal.ts) fails like any other.
'use strict';

function accepted(answer) {
  if (answer && answer.refused) throw Object.assign(new Error(answer.refused.message + '（' + answer.refused.code + '）'), { agent: true });
  return answer;
}
