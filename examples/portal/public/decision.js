// A reviewer's decision cells on a queue row: 審核意見 (input.reason) and one button per action
// (button.<action>), each posting { reason } to `<base>/<action>` and then calling done(action, answer).
'use strict';

function decisionCells(tr, base, actions, messageId, done) {
  var noteCell = document.createElement('td');
  var note = document.createElement('input');
  note.className = 'reason';
  noteCell.appendChild(note);
  tr.appendChild(noteCell);
  var cellOfButtons = document.createElement('td');
  actions.forEach(function (pair) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = pair[0];
    b.textContent = pair[1];
    b.addEventListener('click', async function () {
      try {
        await done(pair[0], await api('POST', base + '/' + pair[0], { reason: note.value }));
      } catch (err) {
        setMessage(messageId, errorText(err), true);
      }
    });
    cellOfButtons.appendChild(b);
  });
  tr.appendChild(cellOfButtons);
}
