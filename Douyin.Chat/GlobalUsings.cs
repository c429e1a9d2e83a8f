global using Douyin.ServiceDefaults;
global using Douyin.ServiceDefaults.Api;
