global using Xunit;
global using Xunit.Abstractions;
global using Microsoft.AspNetCore.Hosting;
global using Microsoft.AspNetCore.Http.Features;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.Logging;
