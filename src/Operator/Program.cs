using GmsaOperator.Entities.Serialization;
using GmsaOperator.Operator.Cli;

// Before any KubernetesJson use: our entity types get source-generated metadata (required under NativeAOT).
EntityJson.Register();
return await OperatorCli.InvokeAsync(args);
