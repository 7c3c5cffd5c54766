import type { BotMetrics } from '@axnbot/chatops';
import {
  type Actor,
  type BindingService,
  isParseError,
  isSuccess,
  type Locale,
  type Logger,
  type ParseContext,
  parseCommand,
  type Reply,
  reportCommand,
  withCorrelation,
} from '@axnbot/chatops';
import type { App } from '@slack/bolt';
import {
  BIND_FORM,
  BIND_SHORTCUT,
  bindFormView,
  fieldErrors,
  formOrigin,
  readSubmission,
  submissionKey,
} from './bind-form.js';
import { renderSlack } from './blocks.js';
import type { HomeTab } from './home-tab.js';
import { boundViews, type SlackPoster } from './slack-poster.js';

/** What the form and the Home tab need. */
export interface NativeUiDeps {
  readonly service: BindingService;
  readonly poster: SlackPoster;
  readonly home: HomeTab;
  readonly metrics: BotMetrics;
  readonly logger: Logger;
  readonly locale: Locale;
  readonly maxBulk: number;
  readonly parseContext: () => ParseContext;
  readonly now: () => number;
}

/**
 * Opens the bind form. `views.open` must come within 3 s of the trigger: the cities offered are those
 * known within a second, the rest are typed.
 */
export async function openBindForm(
  app: App,
  deps: Pick<NativeUiDeps, 'service' | 'locale' | 'maxBulk'>,
  triggerId: string,
  channelId?: string,
): Promise<void> {
  const cities = await deps.service.knownCities(800).catch(() => []);
  await app.client.views.open({
    trigger_id: triggerId,
    view: bindFormView({
      locale: deps.locale,
      cities,
      maxBulk: deps.maxBulk,
      origin: channelId ? { channelId } : {},
    }) as never,
  });
}

/**
 * The Slack-native ways in: the global shortcut "Bind a number", the bind form's submissions (field
 * errors back on the field; a good one binds once however often it is submitted, and its card is posted
 * where the form was opened, or to the user by DM), and the App Home tab.
 */
export function registerNativeUi(app: App, deps: NativeUiDeps): void {
  const { service, poster, home, logger, locale } = deps;

  app.shortcut(BIND_SHORTCUT, async ({ ack, shortcut }) => {
    await ack();
    await openBindForm(app, deps, shortcut.trigger_id);
  });

  app.view(BIND_FORM, async ({ ack, body, view }) =>
    withCorrelation(`${body.team?.id ?? 'T'}:view:${view.id}`, async () => {
      const started = deps.now();
      const submission = readSubmission(view.state.values as never, locale);
      if (Object.keys(submission.errors).length > 0) {
        await ack({ response_action: 'errors', errors: submission.errors });
        return;
      }
      const parsed = parseCommand(submission.text, deps.parseContext());
      if (isParseError(parsed)) {
        await ack({ response_action: 'errors', errors: fieldErrors(parsed, submission) });
        reportCommand(deps, { verb: 'bind', outcome: 'invalid', seconds: (deps.now() - started) / 1000 });
        return;
      }
      // Closes the form; the work and its card follow (a bind may take longer than Slack waits).
      await ack();
      const origin = formOrigin(view.private_metadata);
      const user = body.user;
      const actor: Actor = {
        platform: 'slack',
        userId: user.id,
        userName: user.name ?? user.id,
        channelId: origin.channelId ?? 'app_home',
        idempotencyKey: submissionKey(body.team?.id ?? user.team_id ?? 'T', view.id),
      };
      const { reply, firstDelivery } = await service.executeDelivery(parsed, actor);
      if (firstDelivery) await postResult(reply, user.id, origin.channelId);
      const outcome = isSuccess(reply) ? 'ok' : reply.kind;
      reportCommand(deps, { verb: 'bind', outcome, seconds: (deps.now() - started) / 1000 });
    }),
  );

  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    const teamId = (body as { team_id?: string }).team_id ?? 'T';
    await home.publish({ id: event.user, name: event.user, teamId });
  });

  /**
   * A form's result: a bind's card in the channel the form came from (recorded, so its calls are threaded
   * under it), or by DM when there is none or the bot may not post there; anything else (a refusal, an
   * error) to the user alone.
   */
  async function postResult(reply: Reply, userId: string, channelId: string | undefined): Promise<void> {
    const message = renderSlack(reply, { now: deps.now(), userId, resultVisibility: 'in_channel' });
    const views = boundViews(reply);
    if (views.length > 0) {
      if (channelId && (await poster.postCard(channelId, message, views))) return;
      await poster.postCard(userId, message, views);
      return;
    }
    if (channelId) {
      try {
        await app.client.chat.postEphemeral({
          channel: channelId,
          user: userId,
          text: message.text,
          blocks: message.blocks as never,
        });
        return;
      } catch (error) {
        logger.info('could not answer in the form’s channel; answering by DM', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    await app.client.chat.postMessage({
      channel: userId,
      text: message.text,
      blocks: message.blocks as never,
    });
  }
}
