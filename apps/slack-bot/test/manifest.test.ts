import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIND_SHORTCUT } from '../src/bind-form.js';

/**
 * The app comes in two manifests (issue 12): manifest.yml for Socket Mode and manifest.http.yml for
 * HTTP mode. They must describe the same app — commands, hints, scopes — and differ only where the
 * mode does: request URLs and the Socket Mode switch.
 */

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), 'utf8');
const socket = read('manifest.yml');
const http = read('manifest.http.yml');

/** The manifest without its comments and its mode-specific lines. */
function modeFree(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .filter((line) => !/^\s+(url|request_url|socket_mode_enabled):/.test(line))
    .join('\n');
}

describe('the two Slack manifests', () => {
  it('describe the same app', () => {
    expect(modeFree(http)).toBe(modeFree(socket));
  });

  it('Socket Mode: no request URL, Socket Mode on', () => {
    expect(socket).toMatch(/^ {2}socket_mode_enabled: true$/m);
    expect(socket).not.toMatch(/url:/);
  });

  it('HTTP: every slash command and interactivity post to /slack/events, Socket Mode off', () => {
    expect(http).toMatch(/^ {2}socket_mode_enabled: false$/m);
    const commands = socket.match(/- command: /g)?.length ?? 0;
    expect(commands).toBeGreaterThan(0);
    expect(http.match(/^ {6}url: https:\/\/\S+\/slack\/events$/gm)?.length).toBe(commands);
    expect(http).toMatch(/^ {4}request_url: https:\/\/\S+\/slack\/events$/m);
  });

  it('declare what the code listens for: the bind shortcut, the Home tab and app_home_opened', () => {
    for (const manifest of [socket, http]) {
      expect(manifest).toMatch(new RegExp(`^ {6}callback_id: ${BIND_SHORTCUT}$`, 'm'));
      expect(manifest).toMatch(/^ {4}home_tab_enabled: true$/m);
      expect(manifest).toMatch(/^ {6}- app_home_opened$/m);
      // Nothing beyond what the bot uses: posting, and the slash commands.
      expect(manifest).toMatch(/^ {4}bot:\n {6}- commands\n {6}- chat:write\n[a-z]/m);
    }
  });
});
