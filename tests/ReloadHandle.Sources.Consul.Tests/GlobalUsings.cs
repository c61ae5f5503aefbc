global using ReloadHandle.Sources;
global using ReloadHandle.Sources.Consul.Tests.InProcessConsul;
global using ReloadHandle.Sources.Consul.Tests.TestUtils;
global using ReloadHandle.TestShared;
