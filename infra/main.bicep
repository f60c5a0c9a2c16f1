// SupportBot in one resource group: a user-assigned managed identity that is the bot's identity (no client secret
// anywhere), Table Storage reached with that identity, Application Insights, a Linux App Service for the bot and an
// Azure Bot with the Microsoft Teams channel.
targetScope = 'resourceGroup'

@description('Short lower-case name used in every resource name.')
@minLength(3)
@maxLength(12)
param baseName string = 'supportbot'

@description('Region of the App Service, storage and monitoring resources (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('Name users see for the bot in the Azure portal.')
param botDisplayName string = 'SupportBot'

@description('App Service plan size: B1 is enough for a help desk; P0v3 or larger for many users or several instances.')
param appServiceSku string = 'B1'

@description('Azure Bot pricing tier: F0 (free, standard channels such as Teams are free) or S1.')
@allowed(['F0', 'S1'])
param botSku string = 'F0'

@description('Optional: the Teams channel id (19:...@thread.tacv2) that gets new tickets. Empty: a technician types "setup" in the channel.')
param technicianChannelId string = ''

@description('Optional: Teams ids (29:...) or Entra object ids of technicians.')
param technicians array = []

@description('IANA time zone of the help desk, e.g. Europe/Berlin.')
param supportTimeZone string = 'UTC'

@description('Tags on every resource; azd adds azd-env-name.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id, baseName)
var tenantId = subscription().tenantId
// Built-in role ids (the same in every tenant).
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${baseName}-${suffix}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: take('st${baseName}${suffix}', 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource tablesForBot 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-${baseName}-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry is accepted only with an Entra token: the bot sends it with its managed identity.
    DisableLocalAuth: true
  }
}

resource telemetryFromBot 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: 'asp-${baseName}-${suffix}'
  location: location
  tags: tags
  kind: 'linux'
  sku: { name: appServiceSku }
  properties: { reserved: true }
}

var technicianSettings = [for (id, i) in technicians: { name: 'Support__Technicians__${i}', value: id }]

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: 'app-${baseName}-${suffix}'
  location: location
  tags: union(tags, { 'azd-service-name': 'bot' })
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      alwaysOn: true
      healthCheckPath: '/readyz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
        { name: 'MicrosoftAppId', value: identity.properties.clientId }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        // An endpoint, not a connection string: the bot reaches it with the managed identity.
        { name: 'ConnectionStrings__Tables', value: storage.properties.primaryEndpoints.table }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        // Holds no secret (an instrumentation key is an address); the ingestion needs an Entra token anyway.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'Support__TimeZone', value: supportTimeZone }
        { name: 'Support__TechnicianChannelId', value: technicianChannelId }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        // A 4 MB gen0 budget (the default follows the host's cache size) keeps a 1-2 core instance's memory after
        // load ~60 MB lower at no measurable CPU cost (docs/performance.md); an environment-only GC setting.
        { name: 'DOTNET_GCgen0size', value: '0x400000' }
      ], technicianSettings)
    }
  }
}

// Deployments authenticate with Entra (az webapp deploy, azd), never with publishing passwords.
resource noFtpPassword 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource noScmPassword 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: 'bot-${baseName}-${suffix}'
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppTenantId: tenantId
    msaAppMSIResourceId: identity.id
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

@description('The bot\'s Microsoft App ID (the managed identity\'s client id): the bot id in the Teams app package.')
output BOT_ID string = identity.properties.clientId
@description('The messaging endpoint registered on the Azure Bot.')
output BOT_ENDPOINT string = bot.properties.endpoint
@description('The web app\'s host name: the {{HOST}} of the Teams app package.')
output BOT_DOMAIN string = site.properties.defaultHostName
output WEB_APP_NAME string = site.name
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = site.id
output AZURE_TENANT_ID string = tenantId
