// Validates Adaptive Card JSON files with the official adaptivecards library (schema 1.5, as Teams renders bot cards).
// Usage: node tools/check-cards.cjs <dir>   -> prints {"<file>": ["problem", ...], ...}; exit 0 whatever it finds.
const fs = require('fs');
const path = require('path');
const AC = require('adaptivecards/dist/adaptivecards.js');

const dir = process.argv[2];
const report = {};
for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.json')).sort()) {
  const problems = [];
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext(AC.Versions.v1_5);
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) {
      const e = context.getEventAt(i);
      problems.push(`${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
    }
    for (const e of card.validateProperties().validationEvents) {
      problems.push(`${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
    }
    if (json.version !== '1.5' && json.version !== '1.4' && json.version !== '1.3') problems.push(`version ${json.version} is not one Teams renders for bots`);
  } catch (err) {
    problems.push(`not parseable: ${err.message}`);
  }
  report[file] = problems;
}
process.stdout.write(JSON.stringify(report));
