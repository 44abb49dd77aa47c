// DeploymentDisplay: a sparsity report and a model comparison show as RichDisplay tables; a service as its address.
import RichDisplay

extension SparsityObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
}

extension ModelComparisonObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { table.mimeBundle }
}
