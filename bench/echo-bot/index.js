// The echo bot bench/ compares SupportBot with: botbuilder's CloudAdapter behind express, replying "Echo: <text>".
// No MicrosoftAppId, so, like SupportBot's development mode, it accepts unauthenticated activities and posts its
// replies to the activity's serviceUrl (the bench's fake Connector on 127.0.0.1) without a token.
const express = require('express');
const { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } = require('botbuilder');

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
adapter.onTurnError = async (context, error) => {
  console.error(`turn error: ${error}`);
  await context.sendActivity('The bot encountered an error.');
};

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(`Echo: ${context.activity.text}`));
      await next();
    });
  }
}
const bot = new EchoBot();

const app = express();
app.use(express.json({ limit: '256kb' }));
app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => bot.run(context)));
app.get('/healthz', (req, res) => res.send('ok'));

const port = Number(process.env.PORT || 3979);
app.listen(port, '127.0.0.1', () => console.log(`echo bot listening on http://127.0.0.1:${port}/api/messages`));
