-- wrk script for bench/: unique Teams activities over N conversations, posted to /api/messages.
-- wrk -s load.lua URL -- MIX SERVICE_URL RUN_ID CARDS_FILE CONVERSATIONS
--   MIX: a (emergency, files a ticket), b (request answered by knowledge-base suggestions),
--        c (requester's "Add details" card action on their ticket), d (70% b, 20% a, 10% c), echo (plain message)
--   CARDS_FILE: lines "conversation ticket cardActivityId" (from the runner's setup), or "-"
-- Prints one line "BENCH {json}" when done. Texts: what the committed triage model answers with an emergency ticket
-- (pool a) or with suggestions (pool b), chosen once by running them through the bot; ids are unique per run.

local emergencies = {
  "the exam invigilator login doesn't work and the exam room opens in 5 mins",
  "none of my team's emails have gone out since 8:15, they sit in sent but recipients get nothing, and the enrolment deadline is today",
  "The exam board entries deadline is 5pm today and the SIMS exams module crashes every time I try to export the entries file",
  "the interactive screen in the nursery has come loose from the wall bracket and is leaning",
  "Our mailing to 800 members has to be at the post office by 4 and the envelope printer has died halfway through, we're 300 short",
  "cant get ANY picture on the beamer, running induction for 40 new staff and they are all sitting here",
  "a parent says they got a message from our school address asking them to pay trip fees to a new account, we never sent that",
  "my laptop won't output sound to my headset and I'm on a live client consultation",
  "Both PCs at the pharmacy counter of our community clinic just died at the same time, we can't look anything up and patients are queuing",
  "ipad missing from my classroom think it was taken",
  "got an email saying my password was successfully changed, but I never changed it",
  "a man none of us know was walking around with a clipboard unplugging computers saying he was from the IT contractor, we didn't book anyone",
  "the IT contractor we hired for the day is sat in reception and can't do anything without a guest account, we're paying him by the hour",
  "oops typed my password into a fake microsoft page",
  "We need a spare laptop in the exam hall immediately, a candidate with a word processor arrangement has nothing to type on and the paper started 5 minutes ago",
  "Arbor isn't showing any medical info for the kids on the trip, bus leaves in 15 min and the trip leader needs the allergy list",
  "everyone on my zoom lecture says my voice is cutting out, 60 people on right now",
  "word is frozen and wont close",
  "one of the chromebook chargers melted onto the desk",
  "Desk move: Sam and Ellie are swapping offices on Thursday, phones and PCs need to follow them",
  "outlook on the reception pc keeps asking me to sign in again every few seconds and I have a line of parents waiting to confirm their appointments",
  "saved my worksheet and now its gone",
  "Visio keeps crashing when I open the evacuation floor plan and the fire officer is here waiting to inspect it",
  "the label-making PC in the warehouse freezes every couple of minutes, the van is waiting to be loaded and nothing can go out without labels",
}
local requests = {
  "what do I put in the 'identity' field when joining eduroam on android?",
  "error when i try to join the teams call",
  "my home broadband is fine but the vpn is slowish, any settings I can tweak?",
  "how to force quit on mac",
  "how to zoom in on a webpage",
  "The youth team would like their own shared folder, could that be set up next week",
  "is this urgent enough to call it",
  "We'd like to cut our printing costs, could we see a report of who prints the most each month",
  "how to scan to my email on the copier",
  "where should i save stuff so it doesnt get lost",
  "switched to an iphone, microsoft authenticator not set up on it",
  "it wants an admin password to install something",
  "how do i reset my office 365 password",
  "Can the monitor arm in the finance office be adjusted, the screen sits too low for me",
  "could you please create a group email for the new governors",
  "move my favorites to the new laptop",
  "emptied deleted items by mistake can i get them back",
  "everything went dark colours how do i change it back",
  "can you recommend a secure way for volunteers to share documents with us",
  "can i install zoom on my work laptop",
  "send a scan to myself as pdf",
  "urgent!! can i choose my own username",
  "copier keeps asking for paper even though the tray is full",
  "need to change my job title at the bottom of my emails",
}

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mix = args[1]
  service = args[2]
  run = args[3]
  conversations = tonumber(args[5] or "100")
  nthreads = tonumber(args[6] or "1")
  cards = {}
  if args[4] and args[4] ~= "-" then
    for line in io.lines(args[4]) do
      local k, number, id = line:match("^(%d+) (%d+) (%S+)$")
      if k then cards[tonumber(k)] = { number = number, id = id } end
    end
  end
  n = 0
  sent_a, sent_b, sent_c, sent_echo = 0, 0, 0, 0
  ok_cards, not_ok = 0, 0
  headers = { ["Content-Type"] = "application/json" }
end

local function kind_of(g)
  if mix == "d" then
    local r = g % 10
    if r < 7 then return "b" elseif r < 9 then return "a" else return "c" end
  end
  return mix
end

local function envelope(id, k, extra)
  return '{"type":' .. extra.type .. ',"id":"' .. id .. '","timestamp":"2026-12-06T12:00:00.000Z","channelId":"msteams",' ..
    '"serviceUrl":"' .. service .. '","from":{"id":"29:bench-user-' .. k .. '","name":"Bench User ' .. k ..
    '","aadObjectId":"00000000-0000-0000-0000-' .. string.format("%012d", k) .. '"},' ..
    '"recipient":{"id":"28:bench-bot","name":"SupportBot"},"conversation":{"id":"a:bench-conversation-' .. k ..
    '","conversationType":"personal","tenantId":"bench-tenant"},"channelData":{"tenant":{"id":"bench-tenant"}},' ..
    '"locale":"en-GB","textFormat":"plain"' .. extra.rest .. '}'
end

function request()
  local g = n * nthreads + tid
  n = n + 1
  local k = g % conversations
  local id = run .. "-" .. tid .. "-" .. n
  local kind = kind_of(g)
  local body
  if kind == "a" then
    sent_a = sent_a + 1
    body = envelope(id, k, { type = '"message"', rest = ',"text":"' .. emergencies[(g % #emergencies) + 1] .. '"' })
  elseif kind == "b" then
    sent_b = sent_b + 1
    body = envelope(id, k, { type = '"message"', rest = ',"text":"' .. requests[(g % #requests) + 1] .. '"' })
  elseif kind == "c" then
    sent_c = sent_c + 1
    local card = cards[k]
    body = envelope(id, k, { type = '"invoke"', rest = ',"name":"adaptiveCard/action","replyToId":"' .. card.id ..
      '","value":{"action":{"type":"Action.Execute","verb":"ticket.addDetails","data":{"ticket":' .. card.number ..
      ',"details":"more detail ' .. id .. '"}},"trigger":"manual"}' })
  else
    sent_echo = sent_echo + 1
    body = envelope(id, k, { type = '"message"', rest = ',"text":"hello ' .. id .. '"' })
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  elseif body and body:find('"statusCode":200,"type":"application/vnd.microsoft.card.adaptive"', 1, true) then
    ok_cards = ok_cards + 1
  elseif body and body:find('"statusCode":', 1, true) then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local t = { a = 0, b = 0, c = 0, echo = 0, cards = 0, bad = 0 }
  for _, thread in ipairs(threads) do
    t.a = t.a + thread:get("sent_a")
    t.b = t.b + thread:get("sent_b")
    t.c = t.c + thread:get("sent_c")
    t.echo = t.echo + thread:get("sent_echo")
    t.cards = t.cards + thread:get("ok_cards")
    t.bad = t.bad + thread:get("not_ok")
  end
  local e = summary.errors
  io.write(string.format('BENCH {"completed":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,' ..
    '"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d,' ..
    '"sentA":%d,"sentB":%d,"sentC":%d,"sentEcho":%d,"invokeCards":%d,"badResponses":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, t.a, t.b, t.c, t.echo, t.cards, t.bad))
end
