using GmsaOperator.DevCluster;
using GmsaOperator.Entities.Serialization;
using GmsaOperator.Operator.Cli;

EntityJson.Register();
var root = OperatorCli.Build(LocalPlaneCluster.StartAsync);
root.Subcommands.Add(LocalClusterCommand.Create());
return await OperatorCli.InvokeAsync(root, args);
