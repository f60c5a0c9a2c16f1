// The dashboard inside Teams: follow the Teams theme, and sign in with the tab's SSO token (traded for the dashboard's
// cookie) when the server asked for it. Outside Teams this does nothing.
(async () => {
  const teams = window.microsoftTeams;
  if (document.body.dataset.inTeams !== "1" || !teams) return;
  const applyTheme = (theme) => { document.documentElement.dataset.theme = theme === "default" ? "light" : "dark"; };
  try {
    await teams.app.initialize();
    const context = await teams.app.getContext();
    applyTheme(context.app.theme);
    teams.app.registerOnThemeChangeHandler(applyTheme);
    teams.app.notifySuccess();
  } catch {
    return; // not actually hosted by Teams
  }
  const refused = document.querySelector('main[data-access="SignInNeeded"]');
  if (!refused) return;
  const status = document.getElementById("tab-status");
  try {
    const token = await teams.authentication.getAuthToken();
    const response = await fetch("/dashboard/session", { method: "POST", headers: { Authorization: "Bearer " + token }, credentials: "include" });
    if (response.ok) { location.reload(); return; }
    if (status) status.textContent = response.status === 403 ? "The dashboard is for technicians." : "Teams could not sign you in to the dashboard.";
  } catch {
    if (status) status.textContent = "Teams could not sign you in to the dashboard.";
  }
})();
